package badger

// ProbeSpace runs the free-space probe now, as its ticker would a moment later, so a test need not wait for it.
func (s *Store) ProbeSpace() { s.space.probe() }
