package sdk

// Printing with fmt's %#v (Go syntax) bypasses Error and String and dumps
// the fields: a *DialError's URL with its password and query, a
// Handshake's Authorization header, a Conn's whole state. Each printable
// type of the SDK therefore has a GoString that prints what its Error or
// String prints (redacted, see RedactURL), so no verb prints a secret.
// Options is the app's own struct, holding what the app put in it: it is
// left as it is.

func goString(typ, text string) string { return typ + "{" + quote(text) + "}" }

// GoString is Error, for %#v.
func (e *CloseError) GoString() string { return goString("&sdk.CloseError", e.Error()) }

// GoString is Error, for %#v.
func (e *HandshakeError) GoString() string { return goString("&sdk.HandshakeError", e.Error()) }

// GoString is Error, for %#v.
func (e *URLError) GoString() string { return goString("&sdk.URLError", e.Error()) }

// GoString is Error, for %#v.
func (e *DialError) GoString() string { return goString("&sdk.DialError", e.Error()) }

// GoString is Error, for %#v.
func (e *OptionError) GoString() string { return goString("&sdk.OptionError", e.Error()) }

// GoString is Error, for %#v.
func (e *UnsentError) GoString() string { return goString("&sdk.UnsentError", e.Error()) }

func (e *redactedError) GoString() string { return goString("&sdk.redactedError", e.Error()) }
func (e *finalError) GoString() string    { return goString("&sdk.finalError", e.Error()) }

// GoString is String, for %#v.
func (e StateChange) GoString() string { return goString("sdk.StateChange", e.String()) }

// GoString is String, for %#v: header values and the URL redacted.
func (h Handshake) GoString() string { return goString("sdk.Handshake", h.String()) }

// GoString is String, for %#v.
func (c *Conn) GoString() string { return goString("&sdk.Conn", c.String()) }

// String shows the Conn's state and URL, redacted (RedactURL): "open
// ws://host/path?token=xxxxx". Without it, %v of a *Conn printed every
// field, the URL's password and the handshake's headers among them.
func (c *Conn) String() string {
	if c == nil {
		return "<nil>"
	}
	u := c.url
	if u == "" { // URLFunc: the last URL dialed
		c.mu.Lock()
		u = c.hs.url
		c.mu.Unlock()
	}
	return c.State().String() + " " + RedactURL(u)
}
