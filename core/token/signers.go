package token

import "context"

// Signers returns, for each algorithm the host keeps (in the order of Options.Algorithms), the key that signs
// for it now as Sign would pick it from the cached keys, and the algorithms that have no such key: none stored,
// or none whose private half could be opened. A host with a missing algorithm cannot sign some of its tokens, so
// /readyz reports it; the metrics read the signing keys' ages. Like Sign it reads the store only when the cache
// is due for its refresh.
func (m *Manager) Signers(ctx context.Context) (signing []KeyInfo, missing []string, err error) {
	s, err := m.keySet(ctx)
	if err != nil {
		return nil, nil, err
	}
	now, ready := m.now(), m.ready(s)
	for _, alg := range m.algs {
		if k := s.signer(alg, now, ready); k != nil {
			signing = append(signing, infoOf(k.rec, StateSigning))
		} else {
			missing = append(missing, alg)
		}
	}
	return signing, missing, nil
}
