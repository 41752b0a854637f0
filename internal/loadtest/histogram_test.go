package loadtest

import (
	"math"
	"testing"
	"time"
)

// TestHistogramBuckets: buckets are contiguous, each value falls in its own, and a bucket's width is within
// 1/128 of its values.
func TestHistogramBuckets(t *testing.T) {
	prevHi := int64(-1)
	for i := range histBuckets {
		lo, hi := bucketRange(i)
		if int64(lo) != prevHi+1 || hi < lo {
			t.Fatalf("bucket %d: [%d, %d] after %d", i, lo, hi, prevHi)
		}
		if lo >= subCount && float64(hi-lo+1)/float64(lo) > 1.0/subCount {
			t.Fatalf("bucket %d: [%d, %d] is too wide", i, lo, hi)
		}
		for _, v := range []uint64{lo, hi} {
			if b := bucketOf(v); b != i {
				t.Fatalf("value %d: bucket %d, want %d", v, b, i)
			}
		}
		prevHi = int64(hi)
	}
	if bucketOf(math.MaxUint64) != histBuckets-1 {
		t.Fatal("a huge value is not in the last bucket")
	}
}

// TestHistogramQuantiles: quantiles of 1..10000 µs within the buckets' precision; merge adds up.
func TestHistogramQuantiles(t *testing.T) {
	var a, b histogram
	for v := 1; v <= 10000; v++ {
		h := &a
		if v%2 == 0 {
			h = &b
		}
		h.record(time.Duration(v) * time.Microsecond)
	}
	a.merge(&b)
	if a.n != 10000 || a.max != 10*time.Millisecond {
		t.Fatalf("n %d max %s", a.n, a.max)
	}
	for _, tt := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 5 * time.Millisecond}, {0.9, 9 * time.Millisecond}, {0.99, 9900 * time.Microsecond}, {1, 10 * time.Millisecond}} {
		got := a.quantile(tt.q)
		if diff := math.Abs(float64(got-tt.want)) / float64(tt.want); diff > 1.0/subCount {
			t.Fatalf("q%.2f: %s, want %s", tt.q, got, tt.want)
		}
	}
	var empty histogram
	if empty.quantile(0.5) != 0 {
		t.Fatal("empty histogram")
	}
}

func TestJSONScan(t *testing.T) {
	body := []byte(`{"token_type":"Bearer", "access_token" : "at_x-y", "note":"refresh_token",
		"refresh_token":"rt_a\/b","active":true,"error":"invalid_grant"}`)
	for key, want := range map[string]string{"access_token": "at_x-y", "refresh_token": "rt_a/b", "error": "invalid_grant"} {
		if got, ok := jsonString(body, []byte(key)); !ok || got != want {
			t.Fatalf("%s: %q %v", key, got, ok)
		}
	}
	if _, ok := jsonString(body, []byte("id_token")); ok {
		t.Fatal("absent key found")
	}
	if !jsonTrue(body, keyActive) || jsonTrue([]byte(`{"active":false}`), keyActive) {
		t.Fatal("active")
	}
	if k := statusKind(400, body); k != "HTTP 400 invalid_grant" {
		t.Fatal(k)
	}
	if k := statusKind(502, []byte("<html>")); k != "HTTP 502" {
		t.Fatal(k)
	}
}

func TestQueryValue(t *testing.T) {
	loc := "https://loadtest.example/cb?code=ac_123&state=s%2B1&iss=http%3A%2F%2F127.0.0.1#frag"
	for name, want := range map[string]string{"code": "ac_123", "state": "s+1", "iss": "http://127.0.0.1", "error": ""} {
		if got := queryValue(loc, name); got != want {
			t.Fatalf("%s: %q, want %q", name, got, want)
		}
	}
}

func TestFindForms(t *testing.T) {
	body := `<form method="post" action="/consent"><input type="hidden" name="csrf_token" value="c&amp;1">
<input type="hidden" name="interaction" value="ix"><input type="checkbox" name="scope" value="openid" checked>
<input type="checkbox" name="scope" value="email"><button type="submit" name="consent" value="granted">Allow</button>
<button name="consent" value="denied">Deny</button></form>
<form action='/login'><input name=username type=text><input name="password" type="password"></form>`
	f := findForms(body)
	if f.consent == nil || f.login == nil || f.device != nil {
		t.Fatalf("forms %+v", f)
	}
	v := f.consent.values()
	if v.Get("csrf_token") != "c&1" || v.Get("interaction") != "ix" || len(v["scope"]) != 1 || v.Get("scope") != "openid" ||
		f.consent.action != "/consent" || f.login.action != "/login" {
		t.Fatalf("consent form %v %+v", v, f.consent)
	}
}
