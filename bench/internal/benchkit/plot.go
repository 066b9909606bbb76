package benchkit

import (
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Colors for the contenders, the same in every plot.
var Colors = map[string]color.Color{
	"redial":             color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff},
	"redial Initial 1ms": color.RGBA{R: 0xff, G: 0x7f, B: 0x0e, A: 0xff},
	"coder":              color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff},
	"gorilla":            color.RGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff},
	"recws":              color.RGBA{R: 0x94, G: 0x67, B: 0xbd, A: 0xff},
}

// SaveColumn draws plots one above the other into path (.svg or .png),
// each w × h.
func SaveColumn(path string, w, h vg.Length, plots ...*plot.Plot) error {
	rows := make([][]*plot.Plot, len(plots))
	for i, p := range plots {
		rows[i] = []*plot.Plot{p}
	}
	H := h * vg.Length(len(plots))
	var c draw.Canvas
	var save func() error
	if len(path) > 4 && path[len(path)-4:] == ".svg" {
		s := vgsvg.New(w, H)
		c = draw.New(s)
		save = func() error { return writeTo(path, s) }
	} else {
		img := vgimg.New(w, H)
		c = draw.New(img)
		save = func() error { return writeTo(path, vgimg.PngCanvas{Canvas: img}) }
	}
	tiles := draw.Tiles{Rows: len(plots), Cols: 1, PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 6,
		PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 4}
	canvases := plot.Align(rows, tiles, c)
	for i, p := range plots {
		p.Draw(canvases[i][0])
	}
	return save()
}
