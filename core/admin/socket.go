package admin

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/assentry/assentry/core/events"
)

// SocketPath returns where the admin socket of a data directory lives: a short path under a private per-user
// directory of the system temp dir, named by a digest of the data directory's absolute path. A unix socket path
// is limited to 108 bytes, and a data directory can be deeper than that (a deep temp dir in tests), so the
// socket cannot live inside it.
func SocketPath(dataDir string) (string, error) {
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(abs))
	return filepath.Join(socketDir(), hex.EncodeToString(sum[:8])+".sock"), nil
}

func socketDir() string {
	return filepath.Join(os.TempDir(), "assentry-"+strconv.Itoa(os.Geteuid()))
}

// ensureSocketDir creates the per-user socket directory (mode 0700) and refuses one that another user owns or
// that others can write to, so no other local user can plant or intercept the socket.
func ensureSocketDir() error {
	dir := socketDir()
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return err
	}
	return checkPrivate(dir)
}

func checkPrivate(path string) error {
	fi, err := os.Lstat(path)
	if err != nil {
		return err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fmt.Errorf("%s: cannot read its owner", path)
	}
	if int(st.Uid) != os.Geteuid() {
		return fmt.Errorf("%s is owned by uid %d, not by us (uid %d): refusing to use it", path, st.Uid, os.Geteuid())
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("%s has mode %v: it must not be accessible to others", path, fi.Mode().Perm())
	}
	return nil
}

// Server serves Services on the admin socket of a data directory.
type Server struct {
	path string
	ln   net.Listener
	srv  *http.Server
}

// Dispatcher is what the admin socket serves: it runs one request, and streams a backup of the store. *Services
// is one; a server whose configuration can be reloaded hands Listen its own, which routes each request to the
// services of the current configuration and answers server-level operations (OpReload) itself.
type Dispatcher interface {
	Do(ctx context.Context, req Request) Response
	// StreamBackup writes a full backup of the store to w; ErrNoBackup when the server offers none.
	StreamBackup(ctx context.Context, w io.Writer) error
	// AuditRefused records a request refused before it reached Do (the admin API's authentication): an
	// admin.action event with outcome "failed", the operation it asked for, and why.
	AuditRefused(ctx context.Context, op, reason, ip string)
}

var _ Dispatcher = (*Services)(nil)

// Listen creates the admin socket of dataDir at SocketPath(dataDir), in the private per-user directory.
func Listen(dataDir string, svc Dispatcher, log *slog.Logger) (*Server, error) {
	path, err := SocketPath(dataDir)
	if err != nil {
		return nil, err
	}
	if err := ensureSocketDir(); err != nil {
		return nil, err
	}
	return ListenAt(path, svc, log)
}

// ListenAt creates the admin socket (mode 0600) at path: SocketPath's, or the configured admin_socket. Its
// directory is created (0700) if missing, and must belong to this user or root and be writable by no one else
// (checkSocketDir). The caller must already hold the data directory (the store's lock), so a socket file left
// by a crashed server is stale and is replaced; a file there that is not a socket is refused, not removed.
func ListenAt(path string, svc Dispatcher, log *slog.Logger) (*Server, error) {
	if err := prepareSocketDir(path); err != nil {
		return nil, err
	}
	if err := removeStaleSocket(path); err != nil {
		return nil, err
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("admin socket: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/do", func(w http.ResponseWriter, r *http.Request) {
		var req Request
		var resp Response
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&req); err != nil {
			resp = fail(&Error{Kind: KindInvalid, Message: "bad request: " + err.Error()})
		} else {
			resp = svc.Do(r.Context(), req)
			if resp.Error != nil && resp.Error.Kind == KindInternal {
				log.Error("admin operation failed", "op", req.Op, "err", resp.Error.Message)
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(resp)
	})
	mux.HandleFunc("POST "+backupPath, backupHandler(svc, log))
	s := &Server{path: path, ln: ln}
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second,
		ConnContext: connActor}
	go func() {
		if err := s.srv.Serve(peerChecked{ln, log}); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("admin socket stopped", "err", err)
		}
	}()
	return s, nil
}

// Path is the socket's path.
func (s *Server) Path() string { return s.path }

// Close stops serving and removes the socket file.
func (s *Server) Close(ctx context.Context) error {
	err := s.srv.Shutdown(ctx)
	_ = os.Remove(s.path)
	return err
}

// peerChecked accepts only connections from our own uid or root (SO_PEERCRED), on top of the 0600 mode.
type peerChecked struct {
	net.Listener
	log *slog.Logger
}

func (p peerChecked) Accept() (net.Conn, error) {
	for {
		c, err := p.Listener.Accept()
		if err != nil {
			return nil, err
		}
		uc, ok := c.(*net.UnixConn)
		if !ok {
			c.Close()
			continue
		}
		raw, err := uc.SyscallConn()
		var cred *unix.Ucred
		if err == nil {
			_ = raw.Control(func(fd uintptr) { cred, err = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED) })
		}
		if err != nil || cred == nil || (int(cred.Uid) != os.Geteuid() && cred.Uid != 0) {
			p.log.Warn("admin socket: refused a connection from another user")
			c.Close()
			continue
		}
		return peerConn{Conn: c, uid: cred.Uid}, nil
	}
}

// peerConn is an accepted connection with the uid its peer runs as (SO_PEERCRED).
type peerConn struct {
	net.Conn
	uid uint32
}

// connActor puts the peer's uid into the context of every request on the connection, as the actor of the
// admin.action events ("uid:N").
func connActor(ctx context.Context, c net.Conn) context.Context {
	if pc, ok := c.(peerConn); ok {
		return events.WithActor(ctx, "uid:"+strconv.FormatUint(uint64(pc.uid), 10))
	}
	return ctx
}

// ErrNoServer: no server is listening on the data directory's admin socket.
var ErrNoServer = errors.New("no running server on this data directory")

// Client sends requests to a running server's admin socket.
type Client struct {
	http *http.Client
}

// Dial connects to the admin socket of dataDir at SocketPath(dataDir). It returns ErrNoServer when no server
// listens there (no socket, or a stale one), so the caller can open the store directly.
func Dial(dataDir string) (*Client, error) {
	path, err := SocketPath(dataDir)
	if err != nil {
		return nil, err
	}
	if _, err := os.Lstat(path); errors.Is(err, os.ErrNotExist) {
		return nil, ErrNoServer
	}
	if err := checkPrivate(filepath.Dir(path)); err != nil {
		return nil, err
	}
	if err := checkPrivate(path); err != nil {
		return nil, err
	}
	return DialAt(path)
}

// DialAt connects to the admin socket at path (SocketPath's, or the configured admin_socket), after checking
// that no other user could have put it there (checkSocketOwner). It returns ErrNoServer as Dial does.
func DialAt(path string) (*Client, error) {
	if _, err := os.Lstat(path); errors.Is(err, os.ErrNotExist) {
		return nil, ErrNoServer
	}
	if err := checkSocketOwner(path); err != nil {
		return nil, err
	}
	c, err := net.DialTimeout("unix", path, 2*time.Second)
	if err != nil {
		return nil, fmt.Errorf("%w (%v)", ErrNoServer, err)
	}
	c.Close()
	dial := func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", path)
	}
	return &Client{http: &http.Client{Transport: &http.Transport{DialContext: dial}, Timeout: 2 * time.Minute}}, nil
}

// Do sends a request and returns the server's response.
func (c *Client) Do(ctx context.Context, req Request) (Response, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return Response{}, err
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://admin/v1/do", bytes.NewReader(body))
	if err != nil {
		return Response{}, err
	}
	hr.Header.Set("Content-Type", "application/json")
	res, err := c.http.Do(hr)
	if err != nil {
		return Response{}, fmt.Errorf("admin socket: %w", err)
	}
	defer res.Body.Close()
	var resp Response
	if err := json.NewDecoder(io.LimitReader(res.Body, 8<<20)).Decode(&resp); err != nil {
		return Response{}, fmt.Errorf("admin socket: bad answer: %w", err)
	}
	return resp, nil
}
