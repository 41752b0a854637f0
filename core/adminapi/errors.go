package adminapi

import (
	"encoding/json"
	"net/http"

	"github.com/assentry/assentry/core/admin"
)

// apiError is the body of every error answer, in the shape of RFC 6749's error responses.
type apiError struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

// statusOf maps a dispatcher error kind to its HTTP status.
func statusOf(kind string) int {
	switch kind {
	case admin.KindNotFound:
		return http.StatusNotFound
	case admin.KindConflict:
		return http.StatusConflict
	case admin.KindInvalid:
		return http.StatusBadRequest
	case admin.KindUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// writeError answers status with the JSON error body. A 503 carries Retry-After, as the main listener's do.
func writeError(w http.ResponseWriter, status int, kind, description string) {
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "5")
	}
	writeJSON(w, status, apiError{Error: kind, Description: description})
}

// writeJSON answers status with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
