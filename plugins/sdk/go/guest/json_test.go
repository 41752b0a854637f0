package guest

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// roundTrip parses s, re-encodes it and compares the meaning with encoding/json's.
func roundTrip(t *testing.T, s string) {
	t.Helper()
	v, err := Parse([]byte(s))
	if err != nil {
		t.Fatalf("Parse(%q): %v", s, err)
	}
	var want, got any
	if err := json.Unmarshal([]byte(s), &want); err != nil {
		t.Fatalf("encoding/json refuses %q: %v", s, err)
	}
	enc := v.AppendJSON(nil)
	if err := json.Unmarshal(enc, &got); err != nil {
		t.Fatalf("re-encoded %q is not JSON: %v", enc, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%q re-encoded as %q: %v, want %v", s, enc, got, want)
	}
}

func TestParseRoundTrip(t *testing.T) {
	for _, s := range []string{
		`{}`, `[]`, `null`, `true`, `false`, `0`, `-0.5e+10`, `12345678901234567890`, `""`,
		` { "a" : [ 1 , 2 , { "b" : null } ] , "c" : "d" } `,
		`"esc \" \\ \/ \b \f \n \r \t \u00e9 \ud83d\ude00 end"`,
		`"lone \ud83d surrogate"`, `"bad low \ud83d\u0041"`,
		`{"user":{"sub":"u1","roles":["admin","user"],"email_verified":true},"scopes":["openid"]}`,
		"\"ünïcödé ✓\"",
	} {
		roundTrip(t, s)
	}
}

func TestParseRejects(t *testing.T) {
	for _, s := range []string{
		``, `{`, `{"a"}`, `{"a":}`, `[1,]`, `{"a":1,}`, `01`, `1.`, `.5`, `-`, `1e`, `"\x"`, "\"ctl\x01\"",
		`"unterminated`, `tru`, `nul`, `{} {}`, `[` + strings.Repeat(`[`, 200) + strings.Repeat(`]`, 201),
		`"\u12"`, `{1:2}`,
	} {
		if _, err := Parse([]byte(s)); err == nil {
			t.Errorf("Parse(%q) succeeded", s)
		}
	}
}

func TestAccessors(t *testing.T) {
	v, err := Parse([]byte(`{"s":"x","n":42,"f":1.5,"big":1e3,"b":true,"a":["p",1,"q"],"o":{"k":"v"}}`))
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case v.Get("s").Str() != "x", v.Get("n").Int() != 42, v.Get("f").Float() != 1.5, v.Get("big").Int() != 1000,
		!v.Get("b").Bool(), v.Get("o").Get("k").Str() != "v", v.Get("a").Len() != 3:
		t.Errorf("accessors disagree with %s", v.AppendJSON(nil))
	}
	if got := v.Get("a").Strings(); !reflect.DeepEqual(got, []string{"p", "q"}) {
		t.Errorf("Strings() = %q", got)
	}
	if m := v.Get("missing").Get("deeper"); m.Exists() || m.Str() != "" || m.Int() != 0 || m.Strings() != nil {
		t.Errorf("a missing member is not empty: %+v", m)
	}
	if v.Get("f").Int() != 0 {
		t.Errorf("Int() of 1.5 should be 0")
	}
}

func TestAppendString(t *testing.T) {
	for _, s := range []string{"plain", `q"b\`, "ctl\x00\x1f\n\r\t", "é ✓ 😀", "bad\xffutf8", "\u2028"} {
		got := AppendString(nil, s)
		var back string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("AppendString(%q) = %s: %v", s, got, err)
		}
		want := strings.ToValidUTF8(s, "\uFFFD")
		if back != want {
			t.Errorf("AppendString(%q) decodes to %q, want %q", s, back, want)
		}
	}
}

func TestObjectBuilder(t *testing.T) {
	var inner Object
	inner.Str("k", "v")
	var o Object
	o.Str("s", "x").Bool("t", true).Bool("f", false).Int("n", -3).Strings("l", []string{"a", "b"}).
		Strings("empty", nil).Object("o", &inner).Object("e", &Object{}).Raw("r", []byte(`[1]`))
	want := `{"s":"x","t":true,"f":false,"n":-3,"l":["a","b"],"empty":[],"o":{"k":"v"},"e":{},"r":[1]}`
	if got := string(o.Bytes()); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if got := string(o.Bytes()); got != want {
		t.Errorf("Bytes() twice: %s", got)
	}
}

// FuzzParse: Parse accepts exactly what encoding/json accepts (up to the nesting limit), and what it
// re-encodes means the same.
func FuzzParse(f *testing.F) {
	for _, s := range []string{`{"a":[1,"b",null,true,{"c":-1.5e3}]}`, `"\ud83d\ude00"`, `[]`, `{"a":"\u0000"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := Parse(b)
		if (err == nil) != json.Valid(b) {
			if err != nil && strings.Contains(err.Error(), "nested too deep") {
				return
			}
			t.Fatalf("Parse(%q) err=%v, json.Valid=%v", b, err, json.Valid(b))
		}
		if err != nil {
			return
		}
		var want, got any
		if json.Unmarshal(b, &want) != nil {
			return // valid JSON that encoding/json cannot hold (a number out of float64's range)
		}
		if err := json.Unmarshal(v.AppendJSON(nil), &got); err != nil {
			t.Fatalf("re-encoding of %q is invalid: %v", b, err)
		}
		if !reflect.DeepEqual(got, want) && utf8.Valid(b) {
			t.Fatalf("%q re-encoded means %v, want %v", b, got, want)
		}
	})
}
