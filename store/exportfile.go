package store

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"time"
)

// The export file: portable (no backend's encoding), versioned and line-oriented, so that it can be read, grepped
// and diffed. The first line is the header (ExportHeader), then one line per record,
//
//	{"kind":"token","record":{...the entity's own JSON...}}
//
// and last a trailer with the number of records, {"kind":"end","records":N}, without which the file is refused
// as truncated. A record line holds the entity exactly as the store keeps it (a signing key's private half still
// sealed under the key_encryption_key; secrets only as their hashes).

// ExportMagic is the header's "format": what tells an export file from any other JSON.
const ExportMagic = "assentry-host-export"

// ExportVersion is the version of the export file this build writes and the only one it reads. It changes
// whenever a line's meaning does (an entity field renamed or reinterpreted); a field added with a zero value
// that means what its absence meant does not need a new version, but an older build refuses the file (unknown
// fields are errors, so nothing is ever dropped silently).
const ExportVersion = 1

// ExportHeader is the first line of an export file.
type ExportHeader struct {
	Format     string    `json:"format"`      // ExportMagic
	Version    int       `json:"version"`     // ExportVersion when written
	Assentry   string    `json:"assentry"`    // the release that wrote it
	Host       string    `json:"host"`        // the host id the records belong to
	ExportedAt time.Time `json:"exported_at"` // when the snapshot was taken
	Source     string    `json:"source"`      // the store it came from, e.g. "badger" or "postgres"
}

// exportLine is one line after the header: a record, or the trailer (Kind "end").
type exportLine struct {
	Kind    Kind            `json:"kind"`
	Record  json.RawMessage `json:"record,omitempty"`
	Records *int            `json:"records,omitempty"`
}

// kindEnd is the kind of the trailer line.
const kindEnd Kind = "end"

// ExportWriter writes an export file: NewExportWriter writes the header, Write each record, Close the trailer.
type ExportWriter struct {
	w      *bufio.Writer
	host   string
	counts map[Kind]int
	n      int
}

// NewExportWriter writes h (Format and Version set here) as the first line to w.
func NewExportWriter(w io.Writer, h ExportHeader) (*ExportWriter, error) {
	h.Format, h.Version = ExportMagic, ExportVersion
	x := &ExportWriter{w: bufio.NewWriterSize(w, 64<<10), host: h.Host, counts: map[Kind]int{}}
	return x, x.line(h)
}

// Write adds one record of the header's host.
func (x *ExportWriter) Write(r Record) error {
	if err := r.Check(x.host); err != nil {
		return err
	}
	b, err := json.Marshal(r.entity())
	if err != nil {
		return fmt.Errorf("store: encode %s %s: %w", r.Kind(), r.ID(), err)
	}
	if err := x.line(exportLine{Kind: r.Kind(), Record: b}); err != nil {
		return err
	}
	x.counts[r.Kind()]++
	x.n++
	return nil
}

// Close writes the trailer and flushes; it does not close the underlying writer.
func (x *ExportWriter) Close() error {
	n := x.n
	if err := x.line(exportLine{Kind: kindEnd, Records: &n}); err != nil {
		return err
	}
	return x.w.Flush()
}

// Counts returns how many records of each kind were written.
func (x *ExportWriter) Counts() map[Kind]int { return x.counts }

// line writes v as one JSON line.
func (x *ExportWriter) line(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if _, err := x.w.Write(append(b, '\n')); err != nil {
		return err
	}
	return nil
}

// entity is the one entity the record holds.
func (r Record) entity() any {
	switch {
	case r.User != nil:
		return r.User
	case r.Client != nil:
		return r.Client
	case r.Key != nil:
		return r.Key
	case r.RevokedClient != nil:
		return r.RevokedClient
	case r.Consent != nil:
		return r.Consent
	case r.Session != nil:
		return r.Session
	case r.Grant != nil:
		return r.Grant
	case r.Token != nil:
		return r.Token
	case r.Code != nil:
		return r.Code
	case r.DeviceCode != nil:
		return r.DeviceCode
	case r.Interaction != nil:
		return r.Interaction
	}
	return nil
}

// newRecord returns an empty Record of kind k and the entity to decode into; ok false for an unknown kind.
func newRecord(k Kind) (r Record, v any, ok bool) {
	switch k {
	case KindUser:
		r.User = new(User)
		return r, r.User, true
	case KindClient:
		r.Client = new(Client)
		return r, r.Client, true
	case KindKey:
		r.Key = new(Key)
		return r, r.Key, true
	case KindRevokedClient:
		r.RevokedClient = new(RevokedClient)
		return r, r.RevokedClient, true
	case KindConsent:
		r.Consent = new(Consent)
		return r, r.Consent, true
	case KindSession:
		r.Session = new(Session)
		return r, r.Session, true
	case KindGrant:
		r.Grant = new(Grant)
		return r, r.Grant, true
	case KindToken:
		r.Token = new(Token)
		return r, r.Token, true
	case KindCode:
		r.Code = new(Code)
		return r, r.Code, true
	case KindDeviceCode:
		r.DeviceCode = new(DeviceCode)
		return r, r.DeviceCode, true
	case KindInteraction:
		r.Interaction = new(Interaction)
		return r, r.Interaction, true
	}
	return r, nil, false
}

// DecodeRecord decodes the stored JSON of an entity of kind k with unmarshal (a backend's JSON decoder) into a
// Record: how a backend whose records are the entities' JSON reads them for an export.
func DecodeRecord(k Kind, b []byte, unmarshal func([]byte, any) error) (Record, error) {
	r, v, ok := newRecord(k)
	if !ok {
		return r, fmt.Errorf("store: unknown kind of record %q", k)
	}
	return r, unmarshal(b, v)
}

// ErrNotExport is a file whose first line is not an export header.
var ErrNotExport = errors.New("not an assentry host export (no export header on its first line)")

// ExportVersionError refuses an export file of a version this build does not read.
type ExportVersionError struct{ Found int }

func (e *ExportVersionError) Error() string {
	return fmt.Sprintf("the export file is of version %d; this assentry reads version %d only: import it with the "+
		"release that wrote it (or a later one that reads it)", e.Found, ExportVersion)
}

// ExportReader reads an export file.
type ExportReader struct {
	r      *bufio.Reader
	header ExportHeader
	line   int
}

// NewExportReader reads and checks the header: ErrNotExport for another file, an *ExportVersionError for a
// version this build does not read.
func NewExportReader(r io.Reader) (*ExportReader, error) {
	x := &ExportReader{r: bufio.NewReaderSize(r, 64<<10)}
	b, err := x.next()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, ErrNotExport
		}
		return nil, err
	}
	var h ExportHeader
	if json.Unmarshal(b, &h) != nil || h.Format != ExportMagic {
		return nil, ErrNotExport
	}
	if h.Version != ExportVersion {
		return nil, &ExportVersionError{Found: h.Version}
	}
	if h.Host == "" {
		return nil, errors.New("the export file's header names no host")
	}
	x.header = h
	return x, nil
}

// Header is the file's header.
func (x *ExportReader) Header() ExportHeader { return x.header }

// Records yields every record of the file, in its order, then checks the trailer: an error (yielded last)
// when the file ends without it (truncated), holds anything after it, or when its count disagrees. A line that
// is not a well-formed record of the header's host (an unknown kind, an unknown field, another host) is an
// error naming its line number. Records can be ranged over once.
func (x *ExportReader) Records() iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		n := 0
		for {
			b, err := x.next()
			if errors.Is(err, io.EOF) {
				yield(Record{}, fmt.Errorf("the export file ends at line %d without its last line: it is truncated", x.line))
				return
			}
			if err != nil {
				yield(Record{}, err)
				return
			}
			r, end, err := x.decode(b, n)
			if err != nil {
				yield(Record{}, fmt.Errorf("export file, line %d: %w", x.line, err))
				return
			}
			if end {
				if _, err := x.next(); !errors.Is(err, io.EOF) {
					yield(Record{}, fmt.Errorf("export file, line %d: data after the last line", x.line))
				}
				return
			}
			n++
			if !yield(r, nil) {
				return
			}
		}
	}
}

// decode reads one line after the header; end reports the trailer, checked against n records read before it.
func (x *ExportReader) decode(b []byte, n int) (r Record, end bool, err error) {
	var l exportLine
	if err := strict(b, &l); err != nil {
		return r, false, err
	}
	if l.Kind == kindEnd {
		if l.Records == nil {
			return r, true, errors.New("the last line has no count of records")
		}
		if *l.Records != n {
			return r, true, fmt.Errorf("the last line counts %d records, but the file holds %d", *l.Records, n)
		}
		return r, true, nil
	}
	r, v, ok := newRecord(l.Kind)
	if !ok {
		return r, false, fmt.Errorf("unknown kind of record %q", l.Kind)
	}
	if err := strict(l.Record, v); err != nil {
		return r, false, fmt.Errorf("%s: %w", l.Kind, err)
	}
	return r, false, r.Check(x.header.Host)
}

// next returns the next line without its newline; io.EOF at the end. A last line without a newline counts.
func (x *ExportReader) next() ([]byte, error) {
	b, err := x.r.ReadBytes('\n')
	if len(b) == 0 && err != nil {
		return nil, err
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	x.line++
	return bytes.TrimSuffix(b, []byte("\n")), nil
}

// strict decodes one JSON value, refusing unknown fields and trailing data.
func strict(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return errors.New("data after the JSON value")
	}
	return nil
}
