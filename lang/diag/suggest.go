package diag

import "strings"

// Suggest returns the candidate that s is most likely a misspelling of, for
// a "did you mean" hint: the closest by edit distance, ignoring case, if it
// is close enough for a typo (fewer than len(s)/3+2 edits). It returns ""
// when no candidate is that close, and never s itself.
func Suggest(s string, candidates []string) string {
	best, bestD := "", len(s)/3+2
	ls := strings.ToLower(s)
	for _, c := range candidates {
		if c == s {
			continue
		}
		if d := EditDistance(ls, strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// EditDistance returns the Levenshtein distance between a and b: how many
// single-byte insertions, deletions and substitutions turn one into the
// other.
func EditDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
