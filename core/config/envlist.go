package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
)

// decodeList sets the list dst from an environment value, in one of two forms:
//
//   - comma-separated: "10.0.0.0/8, 192.168.1.1": whitespace around each item is trimmed, and an empty item
//     ("a,,b", a trailing comma) is refused, so a stray comma is a mistake reported rather than a "" entry;
//   - a JSON list, when the value starts with "[" (after spaces): `["a,b", "c"]`, for items that contain a comma.
//     Its items are strings (or numbers and booleans for a list of those); "[]" sets an empty list, which, unlike
//     an unset key, overrides an inherited or default list.
//
// Each item is then decoded with the rules of a scalar of the element type. An empty value resets the key to
// unset, as for a scalar.
func decodeList(dst reflect.Value, value, keyPath string) error {
	if value == "" {
		dst.Set(reflect.Zero(dst.Type()))
		return nil
	}
	items, err := splitList(value)
	if err != nil {
		return fmt.Errorf("%s: %w", keyPath, err)
	}
	list := reflect.MakeSlice(dst.Type(), len(items), len(items))
	for i, item := range items {
		if err := decodeScalar(list.Index(i), item, fmt.Sprintf("%s[%d]", keyPath, i)); err != nil {
			return err
		}
	}
	dst.Set(list)
	return nil
}

// splitList returns the items of a comma-separated or JSON list, refusing empty items.
func splitList(value string) ([]string, error) {
	trimmed := strings.TrimSpace(value)
	if !strings.HasPrefix(trimmed, "[") {
		items := strings.Split(value, ",")
		for i := range items {
			items[i] = strings.TrimSpace(items[i])
			if items[i] == "" {
				return nil, fmt.Errorf("item %d of the comma-separated list is empty (want a, b, c or a JSON list)", i+1)
			}
		}
		return items, nil
	}
	var raw []json.RawMessage
	dec := json.NewDecoder(strings.NewReader(trimmed))
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("invalid JSON list: %v", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("invalid JSON list: text after the closing ]")
	}
	items := make([]string, 0, len(raw))
	for i, r := range raw {
		item, err := jsonItem(r)
		if err != nil {
			return nil, fmt.Errorf("item %d of the JSON list: %w", i+1, err)
		}
		items = append(items, item)
	}
	return items, nil
}

// jsonItem is the text of one JSON list item: a string's value, or a number's or boolean's literal text.
func jsonItem(r json.RawMessage) (string, error) {
	var s string
	switch {
	case bytes.HasPrefix(r, []byte(`"`)):
		if err := json.Unmarshal(r, &s); err != nil {
			return "", err
		}
	case bytes.Equal(r, []byte("null")):
		return "", fmt.Errorf("want a string, got null")
	case bytes.Equal(r, []byte("true")), bytes.Equal(r, []byte("false")):
		s = string(r)
	default:
		var n json.Number
		if err := json.Unmarshal(r, &n); err != nil {
			return "", fmt.Errorf("want a string, got %s", r)
		}
		s = n.String()
	}
	if s == "" {
		return "", fmt.Errorf("is empty")
	}
	return s, nil
}
