//go:build js

package main

import "github.com/hack-pad/safejs"

// This file reads __redial.dial's arguments: the protocols and the
// callbacks (options are options.go's).

// callbacks are the shim's event functions for one socket.
type callbacks struct {
	open, messages, close, error, reconnecting, statechange safejs.Value
}

func arg(args []safejs.Value, i int) safejs.Value {
	if i < len(args) {
		return args[i]
	}
	return safejs.Undefined()
}

func parseProtocols(v safejs.Value) ([]string, error) {
	switch v.Type() {
	case safejs.TypeUndefined, safejs.TypeNull:
		return nil, nil
	case safejs.TypeString:
		s, err := v.String()
		return []string{s}, err
	}
	n, err := v.Length()
	if err != nil {
		return nil, invalid("dial: protocols must be a string or an array of strings")
	}
	out := make([]string, 0, n)
	for i := range n {
		p, err := v.Index(i)
		if err != nil || p.Type() != safejs.TypeString {
			return nil, invalid("dial: protocols must be a string or an array of strings")
		}
		s, err := p.String()
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func parseCallbacks(v safejs.Value) (callbacks, error) {
	var cb callbacks
	if v.Type() != safejs.TypeObject {
		return cb, invalid("dial: callbacks must be an object")
	}
	for name, dst := range map[string]*safejs.Value{
		"open": &cb.open, "messages": &cb.messages, "close": &cb.close, "error": &cb.error,
		"reconnecting": &cb.reconnecting, "statechange": &cb.statechange,
	} {
		f, err := v.Get(name)
		if err != nil {
			return cb, err
		}
		if f.Type() != safejs.TypeFunction {
			return cb, invalid("dial: callbacks.%s must be a function", name)
		}
		*dst = f
	}
	return cb, nil
}
