package policytest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
)

// PluginLogKeys are the keys of a plugin's own log line (assentry.log, and a wasm guest's abort, stdout and
// stderr), the same in both engines and in this order after slog's time, level and msg: msg is the plugin's text.
var PluginLogKeys = []string{"time", "level", "msg", "plugin", "host", "engine", "source", "hook", "request_id"}

// LogLines decodes text, one JSON object a line (slog's JSON handler), and fails the test on a line that is not
// one or that holds a key twice at any depth: encoding/json would keep the last value silently, and log
// pipelines differ on which one they keep. Each line's keys are returned in their order.
func LogLines(t testing.TB, text string) [][]string {
	t.Helper()
	var out [][]string
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		keys, err := objectKeys(sc.Bytes())
		if err != nil {
			t.Fatalf("log line %s: %v", sc.Bytes(), err)
		}
		out = append(out, keys)
	}
	return out
}

// objectKeys reads one JSON object and returns its top-level keys in order, or an error naming a duplicate key.
func objectKeys(line []byte) ([]string, error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("not a JSON object")
	}
	keys, err := readObject(dec, "")
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("more than one JSON value")
	}
	return keys, nil
}

// readObject reads the members of an object whose '{' was read, through its '}'.
func readObject(dec *json.Decoder, path string) ([]string, error) {
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		k := tok.(string)
		if slices.Contains(keys, k) {
			return nil, fmt.Errorf("the key %q appears twice%s", k, where(path))
		}
		keys = append(keys, k)
		if err := readValue(dec, path+"."+k); err != nil {
			return nil, err
		}
	}
	_, err := dec.Token() // '}'
	return keys, err
}

func readValue(dec *json.Decoder, path string) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch tok {
	case json.Delim('{'):
		_, err = readObject(dec, path)
	case json.Delim('['):
		for dec.More() {
			if err = readValue(dec, path+"[]"); err != nil {
				return err
			}
		}
		_, err = dec.Token() // ']'
	}
	return err
}

func where(path string) string {
	if path == "" {
		return ""
	}
	return " in " + strings.TrimPrefix(path, ".")
}
