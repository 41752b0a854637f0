package policytest

import "testing"

// TestObjectKeys: the decoder LogLines uses finds a duplicate key at any depth, which encoding/json does not.
func TestObjectKeys(t *testing.T) {
	for _, tt := range []struct {
		name, line string
		wantErr    bool
	}{
		{"distinct", `{"msg":"a","plugin":"p","x":{"msg":1},"l":[{"a":1},{"a":2}]}`, false},
		{"twice at the top", `{"msg":"policy log","plugin":"p","msg":"hello"}`, true},
		{"twice inside", `{"msg":"a","x":{"k":1,"k":2}}`, true},
		{"twice in a list item", `{"l":[{"a":1,"a":1}]}`, true},
		{"not an object", `["msg"]`, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := objectKeys([]byte(tt.line))
			if (err != nil) != tt.wantErr {
				t.Errorf("objectKeys(%s) = %v, want error %v", tt.line, err, tt.wantErr)
			}
		})
	}
}
