package adminapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"

	"github.com/assentry/assentry/core/admin"
)

// maxBody bounds a request body; the largest legitimate one is a client's metadata.
const maxBody = 1 << 20

// pathArgs are the path parameters that are arguments of an operation, under their JSON names.
var pathArgs = []string{"username", "client_id", "grant_id"}

// operation runs rt's dispatcher operation with the arguments the request carries: the body, decoded strictly
// into the route's body type (an unknown field is a 400, not silently ignored), then the path parameters.
func (a *API) operation(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		args, err := requestArgs(rt, r)
		if err != nil {
			writeError(w, http.StatusBadRequest, admin.KindInvalid, err.Error())
			return
		}
		resp := a.dispatch.Do(r.Context(), admin.Request{Op: rt.Op, Host: r.PathValue("host"), Args: args})
		if e := resp.Error; e != nil {
			if e.Kind == admin.KindInternal || e.Kind == admin.KindUnavailable {
				// The cause stays in the log: it may name files and internals the caller has no use for.
				a.log.Error("admin API operation failed", "op", rt.Op, "kind", e.Kind, "err", e.Message)
				writeError(w, statusOf(e.Kind), e.Kind, "the operation failed; the server log has the cause")
				return
			}
			writeError(w, statusOf(e.Kind), e.Kind, e.Message)
			return
		}
		if rt.Result == nil {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(rt.Status)
		_, _ = w.Write(append(resp.Result, '\n'))
	})
}

// requestArgs builds the operation's JSON arguments from the request.
func requestArgs(rt route, r *http.Request) (json.RawMessage, error) {
	fields := map[string]any{}
	if rt.Body != nil {
		v := reflect.New(reflect.TypeOf(rt.Body))
		raw, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
		if err != nil {
			return nil, fmt.Errorf("reading the body: %w", err)
		}
		if len(bytes.TrimSpace(raw)) > 0 {
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.DisallowUnknownFields()
			if err := dec.Decode(v.Interface()); err != nil {
				return nil, fmt.Errorf("bad JSON body: %w", err)
			}
			if dec.More() {
				return nil, errors.New("bad JSON body: more than one value")
			}
		}
		b, err := json.Marshal(v.Interface())
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(b, &fields); err != nil {
			return nil, err
		}
	}
	for _, name := range pathArgs {
		if v := r.PathValue(name); v != "" {
			fields[name] = v
		}
	}
	return json.Marshal(fields)
}
