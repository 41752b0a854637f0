package store

import (
	"context"
	"fmt"
	"iter"
	"time"
)

// Moving a host between stores. A backend that implements HostExporter copies every record of one host out, as
// it is stored (tombstones, revoked grants, rotated refresh tokens, sealed keys), and writes such records into
// another store of any backend, as they were: the normal interfaces cannot, since no method creates a used token
// or a tombstone. `assentry export` and `assentry import` carry the records through a file (exportfile.go).
//
// The rules, the same for every backend:
//   - Export reads one consistent snapshot and skips records expired at the backend's clock; import skips the
//     ones that have expired since (the file may be old). Index entries are not records: the importing backend
//     builds its own.
//   - Import never merges: a host that holds any record (expired ones not yet removed count too) is refused with
//     a *HostNotEmptyError, before anything is written, unless ImportOptions.Replace, which first deletes every
//     record of the host.
//   - Import writes one transaction per batch of records, so a host of any size fits a backend's transaction
//     limits; an import cut short leaves the batches before it, and runs again with Replace.
//   - Admin API tokens belong to no host and are not part of a host's records.

// Kind names a kind of record, as an export file writes it.
type Kind string

// The kinds of record of a host.
const (
	KindUser          Kind = "user"
	KindClient        Kind = "client"
	KindKey           Kind = "key"
	KindRevokedClient Kind = "revoked_client"
	KindConsent       Kind = "consent"
	KindSession       Kind = "session"
	KindGrant         Kind = "grant"
	KindToken         Kind = "token"
	KindCode          Kind = "code"
	KindDeviceCode    Kind = "device_code"
	KindInteraction   Kind = "interaction"
)

// Kinds lists every kind of record in the order an export writes them: what others refer to first (users,
// clients), then what refers to them. A fresh slice each time.
func Kinds() []Kind {
	return []Kind{KindUser, KindClient, KindKey, KindRevokedClient, KindConsent, KindSession, KindGrant, KindToken,
		KindCode, KindDeviceCode, KindInteraction}
}

// Record is one record of a host, of any kind: exactly one field is set. It is the unit of export and import.
type Record struct {
	User          *User
	Client        *Client
	Key           *Key
	RevokedClient *RevokedClient
	Consent       *Consent
	Session       *Session
	Grant         *Grant
	Token         *Token
	Code          *Code
	DeviceCode    *DeviceCode
	Interaction   *Interaction
}

// fields returns, for the one field that is set, its kind, host, id (user/client for a consent) and expiry; ""
// as the kind when none or several are set.
func (r Record) fields() (kind Kind, host, id string, exp time.Time) {
	n := 0
	set := func(k Kind, h, i string, e time.Time) { n, kind, host, id, exp = n+1, k, h, i, e }
	if v := r.User; v != nil {
		set(KindUser, v.Host, v.ID, time.Time{})
	}
	if v := r.Client; v != nil {
		set(KindClient, v.Host, v.ID, time.Time{})
	}
	if v := r.Key; v != nil {
		set(KindKey, v.Host, v.ID, v.ExpiresAt)
	}
	if v := r.RevokedClient; v != nil {
		set(KindRevokedClient, v.Host, v.ID, time.Time{})
	}
	if v := r.Consent; v != nil {
		id := v.UserID + "/" + v.ClientID
		if v.UserID == "" || v.ClientID == "" {
			id = "" // both are needed
		}
		set(KindConsent, v.Host, id, v.ExpiresAt)
	}
	if v := r.Session; v != nil {
		set(KindSession, v.Host, v.ID, v.ExpiresAt)
	}
	if v := r.Grant; v != nil {
		set(KindGrant, v.Host, v.ID, v.ExpiresAt)
	}
	if v := r.Token; v != nil {
		set(KindToken, v.Host, v.ID, v.ExpiresAt)
	}
	if v := r.Code; v != nil {
		set(KindCode, v.Host, v.ID, v.ExpiresAt)
	}
	if v := r.DeviceCode; v != nil {
		set(KindDeviceCode, v.Host, v.ID, v.ExpiresAt)
	}
	if v := r.Interaction; v != nil {
		set(KindInteraction, v.Host, v.ID, v.ExpiresAt)
	}
	if n != 1 {
		return "", "", "", time.Time{}
	}
	return kind, host, id, exp
}

// Kind is the kind of the record; "" for a Record with no field, or several, set.
func (r Record) Kind() Kind { k, _, _, _ := r.fields(); return k }

// Host is the host the record belongs to.
func (r Record) Host() string { _, h, _, _ := r.fields(); return h }

// ID names the record within its kind and host, for messages (a consent: "<user id>/<client id>").
func (r Record) ID() string { _, _, id, _ := r.fields(); return id }

// ExpiresAt is when the record goes; zero for a record that never expires.
func (r Record) ExpiresAt() time.Time { _, _, _, e := r.fields(); return e }

// Check verifies that exactly one field is set and that the record names host and has an id.
func (r Record) Check(host string) error {
	kind, h, id, _ := r.fields()
	switch {
	case kind == "":
		return fmt.Errorf("store: a record must hold exactly one entity")
	case h != host:
		return fmt.Errorf("store: %s %s is of host %q, not %q", kind, id, h, host)
	case id == "":
		return fmt.Errorf("store: a %s of host %q has no id", kind, host)
	}
	return nil
}

// WithHost returns a copy of the record moved to host (the entity copied, its Host set): what an import under
// another host id writes. The entity's other fields are shared with r.
func (r Record) WithHost(host string) Record {
	switch {
	case r.User != nil:
		v := *r.User
		v.Host = host
		return Record{User: &v}
	case r.Client != nil:
		v := *r.Client
		v.Host = host
		return Record{Client: &v}
	case r.Key != nil:
		v := *r.Key
		v.Host = host
		return Record{Key: &v}
	case r.RevokedClient != nil:
		v := *r.RevokedClient
		v.Host = host
		return Record{RevokedClient: &v}
	case r.Consent != nil:
		v := *r.Consent
		v.Host = host
		return Record{Consent: &v}
	case r.Session != nil:
		v := *r.Session
		v.Host = host
		return Record{Session: &v}
	case r.Grant != nil:
		v := *r.Grant
		v.Host = host
		return Record{Grant: &v}
	case r.Token != nil:
		v := *r.Token
		v.Host = host
		return Record{Token: &v}
	case r.Code != nil:
		v := *r.Code
		v.Host = host
		return Record{Code: &v}
	case r.DeviceCode != nil:
		v := *r.DeviceCode
		v.Host = host
		return Record{DeviceCode: &v}
	case r.Interaction != nil:
		v := *r.Interaction
		v.Host = host
		return Record{Interaction: &v}
	}
	return r
}

// HostExporter is the optional interface of a backend that can move a host's records out and in (every backend
// Assentry ships). The composition root checks for it with a type assertion.
type HostExporter interface {
	// ExportHost calls fn with every live record of host (user tombstones included), from one consistent
	// snapshot, kind by kind in the order of Kinds. An error of fn stops the export and is returned.
	ExportHost(ctx context.Context, host string, fn func(Record) error) error
	// ImportHost writes recs, records of host as ExportHost gives them, into this store as they are: a
	// *HostNotEmptyError (nothing written) when the host holds any record, unless o.Replace; records expired
	// at the store's clock skipped; one transaction per batch of o.Batch records. A record of another host, or
	// one that is not well formed, fails the import (the batches before it stay written). An error yielded by
	// recs stops the import and is returned.
	ImportHost(ctx context.Context, host string, recs iter.Seq2[Record, error], o ImportOptions) (ImportResult, error)
}

// DefaultImportBatch is how many records one import transaction writes when ImportOptions.Batch is zero: a few
// hundred kilobytes, far below what a backend's transaction may hold.
const DefaultImportBatch = 500

// ImportOptions tune HostExporter.ImportHost.
type ImportOptions struct {
	// Replace deletes every record of the host before the import, instead of refusing a host that has any.
	Replace bool
	// Batch is the number of records per transaction; zero means DefaultImportBatch.
	Batch int
}

// ImportResult says what an import did.
type ImportResult struct {
	Imported map[Kind]int // records written, by kind
	Expired  int          // records skipped because they had expired at the import
	Replaced int          // records of the host deleted first (ImportOptions.Replace)
	Batches  int          // transactions that wrote records
}

// Total is the number of records written.
func (r ImportResult) Total() int {
	n := 0
	for _, c := range r.Imported {
		n += c
	}
	return n
}

// HostNotEmptyError refuses an import into a host that already holds records: import does not merge.
type HostNotEmptyError struct {
	Host  string
	Where string // the store, as the backend names it
}

func (e *HostNotEmptyError) Error() string {
	return fmt.Sprintf("host %q already holds records in %s: an import does not merge into a host's data", e.Host, e.Where)
}

// Unwrap makes the error an ErrConflict.
func (e *HostNotEmptyError) Unwrap() error { return ErrConflict }

// ImportBatches is the part of ImportHost every backend shares: it reads recs, checks each record (Check),
// skips those expired at now(), groups the others in batches of batch records (DefaultImportBatch when not
// positive) and has write store each batch, which reports how many transactions it took. A backend calls it
// after its own emptiness check or Replace.
func ImportBatches(ctx context.Context, host string, recs iter.Seq2[Record, error], batch int, now Clock,
	write func(context.Context, []Record) (int, error)) (ImportResult, error) {
	if batch <= 0 {
		batch = DefaultImportBatch
	}
	res := ImportResult{Imported: map[Kind]int{}}
	buf := make([]Record, 0, batch)
	flush := func() error {
		if len(buf) == 0 {
			return nil
		}
		n, err := write(ctx, buf)
		if err != nil {
			return err
		}
		res.Batches += n
		for _, r := range buf {
			res.Imported[r.Kind()]++
		}
		buf = buf[:0]
		return nil
	}
	for r, err := range recs {
		if err != nil {
			return res, err
		}
		if err := ctx.Err(); err != nil {
			return res, err
		}
		if err := r.Check(host); err != nil {
			return res, err
		}
		if exp := r.ExpiresAt(); !exp.IsZero() && !now().Before(exp) {
			res.Expired++
			continue
		}
		if buf = append(buf, r); len(buf) == batch {
			if err := flush(); err != nil {
				return res, err
			}
		}
	}
	return res, flush()
}
