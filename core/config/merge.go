package config

import (
	"reflect"
	"strings"
)

// origins records, for each key of a merged host, the path prefix of the block that set it: "" for the top
// level, "hosts[1]." for the host's own entry. Errors are reported where the value was written, so a bad
// inherited value is reported once, at the top level, not once per host.
type origins map[string]string

// prefixFor returns the origin of key ("clients[0].redirect_uris[1]" is looked up as itself, then as
// "clients[0].redirect_uris", "clients[0]", "clients"), or fallback for a key nobody set.
func (o origins) prefixFor(key, fallback string) string {
	for k := key; k != ""; k = parentKey(k) {
		if p, ok := o[k]; ok {
			return p
		}
	}
	return fallback
}

func parentKey(k string) string {
	i := strings.LastIndexAny(k, ".[")
	if i < 0 {
		return ""
	}
	return k[:i]
}

// mergeHost returns entry with every key it leaves unset taken from top (docs/architecture.md §8: a host inherits every
// top-level host key it does not set). The merge is per key, recursively through sections (registration, argon2,
// rate_limits, roles) and maps (builtin_policy); a list replaces the inherited one whole. A key is unset when it is
// absent from the YAML: nil pointer, slice or map, or a zero string / number. The host's id and hostnames are never
// inherited.
func mergeHost(top, entry Host, prefix string) (Host, origins) {
	var out Host
	o := origins{}
	dst := reflect.ValueOf(&out).Elem()
	t, e := reflect.ValueOf(top), reflect.ValueOf(entry)
	for _, f := range fieldsOf(typeOfHost) {
		d := dst.FieldByIndex(f.index)
		own := e.FieldByIndex(f.index)
		if f.name == "id" || f.name == "hostnames" {
			d.Set(own)
			if !own.IsZero() {
				o[f.name] = prefix
			}
			continue
		}
		mergeValue(d, t.FieldByIndex(f.index), own, f.name, prefix, o)
	}
	return out, o
}

func mergeValue(dst, top, own reflect.Value, key, prefix string, o origins) {
	typ := dst.Type()
	// A section's own origin is where it was written, for keys of it that neither block set.
	switch {
	case !own.IsZero():
		o[key] = prefix
	case !top.IsZero():
		o[key] = ""
	}
	switch {
	case isSection(typ):
		for _, f := range fieldsOf(typ) {
			mergeValue(dst.FieldByIndex(f.index), top.FieldByIndex(f.index), own.FieldByIndex(f.index),
				join(key, f.name), prefix, o)
		}
		return
	case typ.Kind() == reflect.Pointer && isSection(typ.Elem()):
		if top.IsNil() && own.IsNil() {
			return
		}
		dst.Set(reflect.New(typ.Elem()))
		mergeValue(dst.Elem(), derefOrZero(top), derefOrZero(own), key, prefix, o)
		return
	case typ.Kind() == reflect.Map:
		if top.IsNil() && own.IsNil() {
			return
		}
		m := reflect.MakeMap(typ)
		for _, src := range []struct {
			v reflect.Value
			p string
		}{{top, ""}, {own, prefix}} {
			iter := src.v.MapRange()
			for iter.Next() {
				m.SetMapIndex(iter.Key(), iter.Value())
				o[join(key, iter.Key().String())] = src.p
			}
		}
		dst.Set(m)
		return
	}
	switch {
	case !own.IsZero():
		dst.Set(cloneValue(own))
	case !top.IsZero():
		dst.Set(cloneValue(top))
	}
}

func derefOrZero(v reflect.Value) reflect.Value {
	if v.IsNil() {
		return reflect.Zero(v.Type().Elem())
	}
	return v.Elem()
}

// cloneValue copies a slice's backing array so hosts never share (and cannot alias-edit) a list.
func cloneValue(v reflect.Value) reflect.Value {
	if v.Kind() != reflect.Slice || v.IsNil() {
		return v
	}
	c := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
	reflect.Copy(c, v)
	return c
}
