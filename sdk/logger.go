package sdk

// Logger receives the SDK's records: debug lines for every attempt and
// decision, warnings for messages left unsent, errors for a callback that
// panicked. *slog.Logger satisfies it. The SDK names this interface rather
// than importing log/slog, which (with the encoding/json it pulls in) would
// add about a quarter of a megabyte, gzipped, to the browser build.
type Logger interface {
	Debug(msg string, args ...any)
	Warn(msg string, args ...any)
	Error(msg string, args ...any)
}

type nopLogger struct{}

func (nopLogger) Debug(string, ...any) {}
func (nopLogger) Warn(string, ...any)  {}
func (nopLogger) Error(string, ...any) {}
