package badger

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
)

// logger routes Badger's messages to slog. Badger logs a lot at info level (every compaction, every open);
// those go to debug, so an operator at the default level sees only its warnings and errors.
type logger struct{ l *slog.Logger }

func (g logger) Errorf(f string, a ...any)   { g.log(slog.LevelError, f, a) }
func (g logger) Warningf(f string, a ...any) { g.log(slog.LevelWarn, f, a) }
func (g logger) Infof(f string, a ...any)    { g.log(slog.LevelDebug, f, a) }
func (g logger) Debugf(f string, a ...any)   { g.log(slog.LevelDebug, f, a) }

// log formats only when the level is enabled.
func (g logger) log(level slog.Level, f string, a []any) {
	ctx := context.Background()
	if !g.l.Enabled(ctx, level) {
		return
	}
	g.l.Log(ctx, level, strings.TrimSpace(fmt.Sprintf(f, a...)))
}
