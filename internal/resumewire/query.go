package resumewire

// QueryParam is the URL query parameter a resume client adds to every
// connection's URL (value QueryValue, the protocol version): the server
// tells resume connections from plain ones at the upgrade by it
// (docs/resume.md, "Telling resume clients from plain ones"). Defined here
// so the SDK's client half need not import the server package.
const (
	QueryParam = "redial-resume"
	QueryValue = "1"
)
