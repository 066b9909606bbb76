package sdk

import "strings"

// redacted replaces a secret wherever redial prints a URL; it is what
// net/url's URL.Redacted puts in place of a password.
const redacted = "xxxxx"

// RedactURL renders raw safe to print: a userinfo password and every query
// value (and a fragment) become "xxxxx"; scheme, username, host, port, path
// and query keys stay. net/url's URL.Redacted masks the password only; a
// WebSocket URL often carries its credential in the query instead
// (?token=…), since a browser's WebSocket cannot send an Authorization
// header. A query item with no '=' is taken for a value (an API key passed
// as ?KEY), and an empty value stays empty.
//
// Every string redial prints that holds a URL (its errors' text, its log
// records, StateChange.String, Handshake.String, the redial command's
// output) goes through this function. raw need not be a valid URL: a
// string that redial refused as a URL is redacted by the same rules. It is
// a hand scanner rather than net/url, which the browser build leaves out
// for size.
func RedactURL(raw string) string {
	if raw == "" {
		return raw
	}
	var b strings.Builder
	b.Grow(len(raw) + 8)
	rest := raw
	if i := strings.Index(rest, "//"); i >= 0 && isScheme(strings.TrimSuffix(rest[:i], ":")) {
		b.WriteString(rest[:i+2])
		rest = rest[i+2:]
	}
	// Userinfo ends at the authority's last '@'. A password may hold an
	// unescaped '/', '?', '#' or '@' ("user:pa?ss@host", "user:12/34@host",
	// which a parser reads as host "user", port 12), so what precedes the
	// first of those does not settle where the authority ends. Only a host
	// with no ':' (no port, or [IPv6]:port, as '[' is not in a userinfo) does: then an '@'
	// further on is in the path or query. Otherwise, conservatively,
	// userinfo runs to the last '@' anywhere and all after its first ':'
	// is masked. That may mask more than a password ("host:80/@me" prints
	// as "host:xxxxx@me"), never less.
	auth := rest
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		auth = rest[:i]
	}
	hasPort := !strings.HasPrefix(auth, "[") && strings.Contains(auth, ":")
	if hasPort || strings.Contains(auth, "@") || checkHostPort(auth) != "" {
		if at := strings.LastIndexByte(rest, '@'); at >= 0 {
			if colon := strings.IndexByte(rest[:at], ':'); colon >= 0 {
				b.WriteString(rest[:colon+1] + redacted)
			} else {
				b.WriteString(rest[:at])
			}
			rest = rest[at:]
		}
	}
	end := len(rest)
	if i := strings.IndexAny(rest, "?#"); i >= 0 {
		end = i
	}
	head := rest[:end]
	b.WriteString(head)
	rest = rest[end:]
	if strings.HasPrefix(rest, "?") {
		b.WriteByte('?')
		rest = rest[1:]
		q := rest
		if i := strings.IndexByte(q, '#'); i >= 0 {
			q, rest = q[:i], q[i:]
		} else {
			rest = ""
		}
		for i, item := range strings.Split(q, "&") {
			if i > 0 {
				b.WriteByte('&')
			}
			key, value, hasValue := strings.Cut(item, "=")
			switch {
			case hasValue:
				b.WriteString(key)
				b.WriteByte('=')
				if value != "" {
					b.WriteString(redacted)
				}
			case item != "":
				b.WriteString(redacted)
			}
		}
	}
	if rest != "" { // a fragment: redial refuses it, but still prints the URL
		b.WriteString("#" + redacted)
	}
	return b.String()
}

// redactText redacts every URL (anything of the form scheme://…) inside
// free text: the error messages of lower layers, net/http's *url.Error and
// coder/websocket among them, quote the URL they were given, query and
// all. A URL ends at a space, a quote or an angle bracket; net/http quotes
// a URL after escaping it, so none of these is inside one.
func redactText(s string) string {
	if !strings.Contains(s, "://") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "://")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		start := i
		for start > 0 && isSchemeChar(s[start-1]) {
			start--
		}
		end := i + 3
		for end < len(s) && !isURLEnd(s[end]) {
			end++
		}
		b.WriteString(s[:start])
		b.WriteString(RedactURL(s[start:end]))
		s = s[end:]
	}
}

// isScheme: s is made of scheme characters only (RFC 3986 §3.1), so what
// precedes "//" is no userinfo ("user:pa@ss://…").
func isScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isSchemeChar(s[i]) {
			return false
		}
	}
	return true
}

func isSchemeChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'
}

func isURLEnd(c byte) bool {
	return c <= ' ' || c == '"' || c == '\'' || c == '`' || c == '<' || c == '>' || c == 0x7f
}

// harmlessHeaders are the headers whose values redial prints as they are
// (URLs in them redacted): what the handshake itself sets and a few that
// hold no credential. Any other header may carry one (X-Api-Key,
// X-Auth-Token, a vendor's own), so its value is hidden. Keys are lower
// case.
var harmlessHeaders = map[string]bool{
	"upgrade":                  true,
	"connection":               true,
	"sec-websocket-version":    true,
	"sec-websocket-accept":     true,
	"sec-websocket-key":        true,
	"sec-websocket-extensions": true,
	"date":                     true,
	"server":                   true,
	"content-length":           true,
	"content-type":             true,
}

// RedactHeader returns value as it may be printed for the header name
// (matched without regard to case), as Handshake.String and the redial
// command's -v do. Only a short list of harmless headers (Upgrade,
// Connection, Sec-WebSocket-Version, -Accept, -Key, -Extensions, Date,
// Server, Content-Length, Content-Type) keep their value, with any URL in
// it redacted (RedactURL); every other value may be a credential and
// becomes "xxxxx". Two keep a little, so a reader can tell what was sent:
// an Authorization or Proxy-Authorization value keeps its scheme
// ("Bearer xxxxx"), and each Sec-WebSocket-Protocol item keeps what
// precedes its first '.' ("bearer.xxxxx": a token sent as a subprotocol,
// as browsers allow no Authorization header) or, with no '.', stays when
// it is at most 24 bytes ("graphql-ws").
func RedactHeader(name, value string) string {
	lower := strings.ToLower(name)
	switch {
	case value == "":
		return value
	case harmlessHeaders[lower]:
		return redactText(value)
	case lower == "sec-websocket-protocol":
		items := strings.Split(value, ",")
		for i, p := range items {
			items[i] = redactProtocol(p)
		}
		return strings.Join(items, ",")
	case strings.HasSuffix(lower, "authorization"):
		if scheme, _, ok := strings.Cut(value, " "); ok {
			return scheme + " " + redacted
		}
	}
	return redacted
}

// redactProtocol is one subprotocol as RedactHeader prints it.
func redactProtocol(p string) string {
	lead := len(p) - len(strings.TrimLeft(p, " "))
	if i := strings.IndexByte(p, '.'); i >= 0 {
		return p[:i+1] + redacted
	}
	if len(p)-lead > 24 || !validToken(strings.TrimSpace(p)) {
		return p[:lead] + redacted
	}
	return p
}

// RedactText redacts, as RedactURL does, every URL (scheme://…) inside
// free text, such as a lower layer's error message; a URL ends at a space,
// a quote or an angle bracket. The redial command runs the flag package's
// messages through it, which quote a mistyped flag's value: often the URL.
func RedactText(s string) string { return redactText(s) }
