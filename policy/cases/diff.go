package cases

import "strings"

// Diff is a line diff of want and got: common lines indented with two spaces, lines only in want marked "- ",
// lines only in got "+ " (a longest common subsequence; decisions are short, so the quadratic table is cheap).
func Diff(want, got string) string {
	a, b := strings.Split(want, "\n"), strings.Split(got, "\n")
	if len(a)*len(b) > 1<<20 { // too long to align: all of want, then all of got
		return "- " + strings.Join(a, "\n- ") + "\n+ " + strings.Join(b, "\n+ ")
	}
	// lcs[i][j] is the length of the longest common subsequence of a[i:] and b[j:].
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out strings.Builder
	line := func(mark, s string) { out.WriteString(mark + s + "\n") }
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			line("  ", a[i])
			i, j = i+1, j+1
		case lcs[i+1][j] >= lcs[i][j+1]:
			line("- ", a[i])
			i++
		default:
			line("+ ", b[j])
			j++
		}
	}
	for ; i < len(a); i++ {
		line("- ", a[i])
	}
	for ; j < len(b); j++ {
		line("+ ", b[j])
	}
	return strings.TrimSuffix(out.String(), "\n")
}
