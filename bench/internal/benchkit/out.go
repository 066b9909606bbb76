package benchkit

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Out writes one piece's files into bench/out/: Name.md, Name.targets.tsv,
// Name*.csv (see the make bench contract in scripts/bench.sh).
type Out struct {
	Dir, Name string
	md        strings.Builder
	targets   strings.Builder
}

// NewOut is the output of piece name (e.g. "20-reconnect") in dir.
func NewOut(dir, name string) (*Out, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return &Out{Dir: dir, Name: name}, nil
}

// P appends a formatted line (and a newline) to the markdown section.
func (o *Out) P(format string, args ...any) { fmt.Fprintf(&o.md, format+"\n", args...) }

// Table appends a markdown table.
func (o *Out) Table(header []string, rows [][]string) {
	o.P("| %s |", strings.Join(header, " | "))
	o.P("|%s", strings.Repeat("---|", len(header)))
	for _, r := range rows {
		o.P("| %s |", strings.Join(r, " | "))
	}
	o.P("")
}

// Target records one issue-13 target: met decides "met" or "missed".
func (o *Out) Target(target, measured string, met bool, why string) {
	st := "missed"
	if met {
		st = "met"
	}
	clean := func(s string) string { return strings.NewReplacer("\t", " ", "\n", " ").Replace(s) }
	fmt.Fprintf(&o.targets, "%s\t%s\t%s\t%s\n", clean(target), clean(measured), st, clean(why))
}

// CSV writes Name+suffix+".csv" with a header row.
func (o *Out) CSV(suffix string, header []string, rows [][]string) error {
	f, err := os.Create(filepath.Join(o.Dir, o.Name+suffix+".csv"))
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	_ = w.Write(header)
	_ = w.WriteAll(rows)
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Path is the path of Name+suffix in Dir (for plots).
func (o *Out) Path(suffix string) string { return filepath.Join(o.Dir, o.Name+suffix) }

// Close writes Name.md and, if any target was recorded, Name.targets.tsv.
func (o *Out) Close() error {
	if err := os.WriteFile(o.Path(".md"), []byte(o.md.String()), 0o644); err != nil {
		return err
	}
	if o.targets.Len() == 0 {
		return nil
	}
	return os.WriteFile(o.Path(".targets.tsv"), []byte(o.targets.String()), 0o644)
}

// Command writes the fenced command that made this piece: its script,
// and the program (built from src, a bench/ package path) and flags it ran.
func (o *Out) Command(src string) {
	o.P("```sh")
	o.P("bash bench/run.d/%s.sh   # runs %s %s", o.Name, src, strings.Join(os.Args[1:], " "))
	o.P("```")
	o.P("")
}
