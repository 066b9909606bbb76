//go:build js

package main

import "github.com/hack-pad/safejs"

// boolOption reads the boolean option name of v into dst: undefined and
// null leave it, anything but a boolean is a worded error.
func boolOption(v safejs.Value, name string, dst *bool) error {
	x, err := v.Get(name)
	if err != nil {
		return err
	}
	switch x.Type() {
	case safejs.TypeUndefined, safejs.TypeNull:
		return nil
	case safejs.TypeBoolean:
		*dst, err = x.Truthy()
		return err
	}
	return invalid("option %s must be a boolean", name)
}
