package main

import (
	"encoding/csv"
	"errors"
	"os"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// plotCSV draws renderer memory (MiB) against time, one line per variant,
// from the CSV the driver wrote: variant,t_s,renderer_rss_bytes,...
func plotCSV(args []string) error {
	if len(args) != 2 {
		return errors.New("usage: backpressure plot IN.csv OUT.svg")
	}
	in, err := os.Open(args[0])
	if err != nil {
		return err
	}
	defer in.Close()
	rows, err := csv.NewReader(in).ReadAll()
	if err != nil {
		return err
	}
	if len(rows) < 2 {
		return errors.New("no samples")
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	series := map[string]plotter.XYs{}
	var order []string
	for _, r := range rows[1:] {
		v := r[col["variant"]]
		t, err1 := strconv.ParseFloat(r[col["t_s"]], 64)
		m, err2 := strconv.ParseFloat(r[col["renderer_rss_bytes"]], 64)
		if err1 != nil || err2 != nil {
			continue
		}
		if _, ok := series[v]; !ok {
			order = append(order, v)
		}
		series[v] = append(series[v], plotter.XY{X: t, Y: m / (1 << 20)})
	}
	p := plot.New()
	p.Title.Text = "Page memory: a 100 msg/s page, a 10,000 msg/s server (1 KiB)"
	p.X.Label.Text = "seconds"
	p.Y.Label.Text = "renderer RSS, MiB"
	var lines []any
	for _, v := range order {
		lines = append(lines, v, series[v])
	}
	if err := plotutil.AddLines(p, lines...); err != nil {
		return err
	}
	p.Legend.Top = true
	p.Legend.Left = true
	return p.Save(7*vg.Inch, 4*vg.Inch, args[1])
}
