// Package watch keeps a host's theme in step with its directory: it watches the files themes.Load reads, loads the
// directory again once a burst of changes is quiet, and swaps the new version into a themes.Live; a version that
// fails to load is logged, error by error, and the previous one keeps serving.
//
// It imports themes and fsnotify only: nothing from core, store, policy or fiber. The server starts one watch per
// host with a theme directory and ends it with the host's generation; `assentry theme serve` uses it for the preview.
package watch
