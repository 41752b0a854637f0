package admin

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
)

// HostInfo is what hosts.list shows of a host: its immutable id, its issuer and the names it answers for.
type HostInfo struct {
	ID        string   `json:"id"`
	Issuer    string   `json:"issuer"`
	Hostnames []string `json:"hostnames"`
	Default   bool     `json:"default"` // the host a request naming none is for
}

// hostsList lists the served hosts ordered by id.
func hostsList(_ context.Context, s *Services, _ json.RawMessage) (any, error) {
	out := make([]HostInfo, 0, len(s.Hosts))
	for id, hs := range s.Hosts {
		info := hs.Info
		info.ID, info.Hostnames, info.Default = id, nonNil(info.Hostnames), id == s.Default
		out = append(out, info)
	}
	slices.SortFunc(out, func(a, b HostInfo) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}
