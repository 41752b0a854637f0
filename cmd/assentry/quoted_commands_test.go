package main

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// quotedCommand is one shell command quoted in the README or in a file under examples/: a logical line, its
// continuation lines joined and its trailing comment kept apart.
type quotedCommand struct {
	file    string // relative to the repository's root
	line    int    // of its first line
	env     string // the scratch environment it runs in: the README's "## " section, or the example's file
	text    string // the command, without its comment
	comment string // its trailing comment, without the "#"
}

func (c quotedCommand) String() string { return c.file + ":" + strconv.Itoa(c.line) + ": " + c.text }

// shellFence opens a README code block whose lines are all commands; in any other block, and in the comments of
// an example file, a line is a command when it starts as one of commandStart.
var (
	shellFence   = regexp.MustCompile("^```(sh|bash|shell|console)\\s*$")
	commandStart = regexp.MustCompile(`^(assentry |go run \./cmd/assentry |printf .*\| *(assentry|go run \./cmd/assentry) |` +
		`sudo -u \S+ assentry |podman |systemctl |install |npx |(\w+=\S+ )*bash examples/)`)
	// exampleComment is a comment line of an example file: "#", "//" or "--" and the text after it.
	exampleComment = regexp.MustCompile(`^\s*(?:#|//|--)\s*(.*)$`)
)

// splitComment returns a shell line's code and its trailing comment (a "#" that starts a word outside quotes),
// and whether the line ends inside single quotes.
func splitComment(line string, inSingle bool) (code, comment string, openQuote bool) {
	inDouble := false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case inSingle:
			if c == '\'' {
				inSingle = false
			}
		case c == '\\' && i+1 < len(line):
			i++
		case c == '"':
			inDouble = !inDouble
		case inDouble:
		case c == '\'':
			inSingle = true
		case c == '#' && (i == 0 || line[i-1] == ' ' || line[i-1] == '\t'):
			return strings.TrimRight(line[:i], " \t"), strings.TrimSpace(line[i+1:]), false
		}
	}
	return line, "", inSingle
}

// hereDoc finds a here-document's start in a line of code (<<'EOF', <<"EOF", <<EOF or <<-EOF; not a here-string,
// <<<) and captures its terminating word.
var hereDoc = regexp.MustCompile(`(?:^|[^<])<<-?\s*['"]?(\w+)`)

// logicalCommands joins lines into commands: a line ending in a backslash or inside single quotes goes on, and a
// here-document's lines, through its terminator, belong to the command that starts it. first is the line number
// of lines[0]; lines that are empty or only a comment are not commands.
func logicalCommands(file, env string, first int, lines []string) []quotedCommand {
	var out []quotedCommand
	var cur *quotedCommand
	inSingle := false
	heredoc := "" // the terminator of the here-document being read
	for i, l := range lines {
		if heredoc != "" {
			cur.text += l
			if strings.TrimLeft(l, "\t") == heredoc {
				heredoc = ""
				out = append(out, *cur)
				cur = nil
			} else {
				cur.text += "\n"
			}
			continue
		}
		code, comment, open := splitComment(l, inSingle)
		if cur == nil {
			if strings.TrimSpace(code) == "" {
				continue
			}
			cur = &quotedCommand{file: file, line: first + i, env: env}
			code = strings.TrimSpace(code)
		}
		inSingle = open
		cur.text += code
		if comment != "" {
			cur.comment = comment
		}
		if inSingle {
			cur.text += "\n"
			continue
		}
		if strings.HasSuffix(cur.text, "\\") {
			cur.text += "\n"
			continue
		}
		if m := hereDoc.FindStringSubmatch(code); m != nil {
			heredoc = m[1]
			cur.text += "\n"
			continue
		}
		out = append(out, *cur)
		cur = nil
	}
	if cur != nil {
		out = append(out, *cur)
	}
	return out
}

// readmeCommands returns the commands quoted in README.md, each with its "## " section as its environment.
func readmeCommands(t *testing.T) []quotedCommand {
	t.Helper()
	return markdownCommands(t, "README.md", "")
}

// docsCommands returns the commands quoted in docs/*.md, each with its file and "## " section as its environment
// ("docs/policy-guide.md: Walkthrough").
func docsCommands(t *testing.T) []quotedCommand {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(repoRoot, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	var out []quotedCommand
	for _, f := range files {
		rel, _ := filepath.Rel(repoRoot, f)
		out = append(out, markdownCommands(t, rel, rel+": ")...)
	}
	return out
}

// markdownCommands returns the commands quoted in the Markdown file rel (relative to the repository's root), each
// with prefix and its "## " section as its environment.
func markdownCommands(t *testing.T, rel, prefix string) []quotedCommand {
	t.Helper()
	lines := readLines(t, filepath.Join(repoRoot, rel))
	var out []quotedCommand
	section := prefix + "(introduction)"
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if strings.HasPrefix(l, "## ") {
			section = prefix + strings.TrimPrefix(l, "## ")
			continue
		}
		if !strings.HasPrefix(l, "```") {
			continue
		}
		shell := shellFence.MatchString(l)
		start := i + 1
		for i++; i < len(lines) && !strings.HasPrefix(lines[i], "```"); i++ {
		}
		block := lines[start:min(i, len(lines))]
		if shell {
			out = append(out, logicalCommands(rel, section, start+1, block)...)
			continue
		}
		for j, b := range block {
			if commandStart.MatchString(strings.TrimSpace(b)) {
				out = append(out, logicalCommands(rel, section, start+1+j, block[j:j+1])...)
			}
		}
	}
	return out
}

// exampleCommands returns the commands quoted in the comments of the files under examples/ (not in tests, nor
// in the body of a script, which runs them itself), each file its own environment.
func exampleCommands(t *testing.T) []quotedCommand {
	t.Helper()
	var out []quotedCommand
	root := filepath.Join(repoRoot, "examples")
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(path, "_test.go") || strings.HasSuffix(path, ".wasm") ||
			strings.Contains(path, string(filepath.Separator)+"testdata"+string(filepath.Separator)) {
			return err
		}
		rel, _ := filepath.Rel(repoRoot, path)
		lines := readLines(t, path)
		for i := 0; i < len(lines); i++ {
			m := exampleComment.FindStringSubmatch(lines[i])
			if m == nil || !commandStart.MatchString(m[1]) {
				continue
			}
			block := []string{m[1]}
			for strings.HasSuffix(block[len(block)-1], "\\") && i+1 < len(lines) {
				i++
				next := exampleComment.FindStringSubmatch(lines[i])
				if next == nil {
					break
				}
				block = append(block, next[1])
			}
			out = append(out, logicalCommands(rel, rel, i+2-len(block), block)...)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}
