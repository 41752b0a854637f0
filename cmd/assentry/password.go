package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"golang.org/x/term"
)

// readPassword takes a password from the first line of stdin (--password-stdin), or asks twice without echo
// when stdin is a terminal.
func readPassword(stdin io.Reader, fromStdin bool) (string, error) {
	if fromStdin {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", err
		}
		pw := strings.TrimRight(line, "\r\n")
		if pw == "" {
			return "", usageError{"--password-stdin: no password on standard input"}
		}
		return pw, checkUTF8(pw)
	}
	f, ok := stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return "", usageError{"standard input is not a terminal: use --password-stdin"}
	}
	fmt.Fprint(os.Stderr, "Password: ")
	a, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(os.Stderr)
	if err != nil {
		return "", err
	}
	fmt.Fprint(os.Stderr, "Repeat password: ")
	b, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(os.Stderr)
	if err != nil {
		return "", err
	}
	if string(a) != string(b) {
		return "", usageError{"the passwords do not match"}
	}
	if len(a) == 0 {
		return "", usageError{"the password must not be empty"}
	}
	return string(a), checkUTF8(string(a))
}

// checkUTF8 refuses a password that is not UTF-8: it travels as JSON, which would replace the bad bytes, and
// the user could then never type the password that was stored.
func checkUTF8(pw string) error {
	if !utf8.ValidString(pw) {
		return usageError{"the password is not valid UTF-8 text (is the terminal's character set UTF-8?)"}
	}
	return nil
}
