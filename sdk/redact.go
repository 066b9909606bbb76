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
	if i := strings.Index(rest, "//"); i >= 0 && !strings.ContainsAny(rest[:i], "?#") {
		b.WriteString(rest[:i+2])
		rest = rest[i+2:]
	}
	// Userinfo ends at the authority's last '@'. When what precedes the
	// first '/' is no host[:port], a password with an unescaped '/' in it
	// ("user:pa/ss@host") is the likely story: userinfo then runs to the
	// last '@' before the query.
	end := len(rest)
	if i := strings.IndexAny(rest, "?#"); i >= 0 {
		end = i
	}
	head := rest[:end]
	auth := head
	if i := strings.IndexByte(head, '/'); i >= 0 {
		auth = head[:i]
		if !strings.Contains(auth, "@") && checkHostPort(auth) != "" {
			auth = head
		}
	}
	if at := strings.LastIndexByte(auth, '@'); at >= 0 {
		if colon := strings.IndexByte(auth[:at], ':'); colon >= 0 {
			head = head[:colon+1] + redacted + head[at:]
		}
	}
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

func isSchemeChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'
}

func isURLEnd(c byte) bool {
	return c <= ' ' || c == '"' || c == '\'' || c == '`' || c == '<' || c == '>' || c == 0x7f
}

// sensitiveHeaders are the request and response headers whose values are
// credentials; redial never prints them (Handshake.String, the redial
// command's -v). Keys are lower case.
var sensitiveHeaders = map[string]bool{
	"authorization":       true,
	"proxy-authorization": true,
	"cookie":              true,
	"set-cookie":          true,
}

// RedactHeader returns value as it may be printed for the header name:
// "xxxxx" for a credential (Authorization, Proxy-Authorization, Cookie,
// Set-Cookie; the name is matched without regard to case), value
// otherwise. An Authorization value keeps its scheme ("Bearer xxxxx"), so
// a reader can tell which kind of credential was sent.
func RedactHeader(name, value string) string {
	if !sensitiveHeaders[strings.ToLower(name)] || value == "" {
		return value
	}
	if scheme, _, ok := strings.Cut(value, " "); ok && strings.Contains(strings.ToLower(name), "authorization") {
		return scheme + " " + redacted
	}
	return redacted
}
