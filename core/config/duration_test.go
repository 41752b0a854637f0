package config

import (
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

func TestDuration(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    time.Duration
		wantErr bool
	}{
		{name: "seconds", in: "90s", want: 90 * time.Second},
		{name: "compound", in: "1h30m", want: 90 * time.Minute},
		{name: "zero", in: "0", want: 0},
		{name: "negative parses (rules decide)", in: "-5m", want: -5 * time.Minute},
		{name: "spaces trimmed", in: " 2h ", want: 2 * time.Hour},
		{name: "bare number", in: "3600", wantErr: true},
		{name: "days are not Go", in: "7d", wantErr: true},
		{name: "empty", in: "", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var text Duration
			err := text.UnmarshalText([]byte(tt.in))
			if (err != nil) != tt.wantErr || (err == nil && text.Std() != tt.want) {
				t.Errorf("UnmarshalText(%q) = %v, %v", tt.in, text, err)
			}
			var doc struct {
				D Duration `yaml:"d"`
			}
			err = yaml.Unmarshal([]byte("d: \""+tt.in+"\"\n"), &doc)
			if (err != nil) != tt.wantErr || (err == nil && doc.D.Std() != tt.want) {
				t.Errorf("yaml %q = %v, %v", tt.in, doc.D, err)
			}
		})
	}
	if b, _ := Duration(90 * time.Second).MarshalText(); string(b) != "1m30s" {
		t.Errorf("MarshalText = %s", b)
	}
}
