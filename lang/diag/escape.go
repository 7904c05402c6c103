package diag

import (
	"bytes"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Escape returns s with every character that could change a terminal's
// state or hide text written as an escape: C0 and C1 control characters and
// DEL as \xNN or \uNNNN (\t, \n and \r as themselves escaped), bidirectional
// formatting characters as \uNNNN, and bytes that are not UTF-8 as \xNN.
// Text from source files, file names and YAML goes through it before it is
// printed, so a file cannot retitle, recolour or clear the terminal.
func Escape(s string) string {
	if !needsEscape(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		b.WriteString(escapeRune(r, s[i:i+size]))
		i += size
	}
	return b.String()
}

// needsEscape reports whether Escape would change s.
func needsEscape(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				return true
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if escapeRune(r, s[i:i+size]) != s[i:i+size] {
			return true
		}
		i += size
	}
	return false
}

// escapeRune returns how the rune r, written as the bytes raw, is printed.
func escapeRune(r rune, raw string) string {
	switch {
	case r == utf8.RuneError && len(raw) == 1:
		return fmt.Sprintf(`\x%02x`, raw[0])
	case r == '\t':
		return `\t`
	case r == '\n':
		return `\n`
	case r == '\r':
		return `\r`
	case r < 0x20 || r == 0x7f:
		return fmt.Sprintf(`\x%02x`, r)
	case unicode.IsControl(r) || isBidi(r):
		return fmt.Sprintf(`\u%04x`, r)
	}
	return raw
}

// isBidi reports whether r is a bidirectional formatting character, which
// reorders the text a terminal shows around it.
func isBidi(r rune) bool {
	switch {
	case r == 0x061c, r == 0x200e, r == 0x200f:
		return true
	case r >= 0x202a && r <= 0x202e:
		return true
	case r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// escapeJSON rewrites, in JSON text that encoding/json produced, the
// characters it leaves as they are but Escape escapes (DEL, C1 controls and
// bidirectional formatting characters) as \uNNNN, which JSON decoders read
// back as the same characters.
func escapeJSON(b []byte) []byte {
	var out bytes.Buffer
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == 0x7f || (r != utf8.RuneError && r >= 0x80 && unicode.IsControl(r)) || isBidi(r) {
			fmt.Fprintf(&out, `\u%04x`, r)
		} else {
			out.Write(b[i : i+size])
		}
		i += size
	}
	return out.Bytes()
}

// maxMessage is how many bytes of a summary, note or hint text output
// shows; longer ones (a message quoting a huge token) are cut.
const maxMessage = 400

// message returns s escaped for a terminal and cut to maxMessage bytes.
func message(s string) string {
	s = Escape(s)
	if len(s) <= maxMessage {
		return s
	}
	cut := maxMessage
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

// maxSnippet is how many columns of a source line a snippet shows; a longer
// line is cut to a window around the carets, with "..." where text is left
// out.
const maxSnippet = 120

// cell is one character of a snippet as printed: the text shown for it and
// the columns it takes.
type cell struct {
	text  string
	width int
}

// snippet returns the source line text as printed (tabs expanded, control
// characters escaped, cut to maxSnippet columns around the carets), the
// column the carets start at and how many there are, for the bytes
// [start, end) of text.
func snippet(text string, start, end int) (string, int, int) {
	var cells []cell
	first, last := -1, -1 // cells of the span
	col := 0
	for i := 0; i <= len(text); {
		if i == start && first < 0 {
			first = len(cells)
		}
		if i >= end && last < 0 {
			last = len(cells)
		}
		if i == len(text) {
			break
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		var c cell
		switch {
		case r == '\t':
			n := tabWidth - col%tabWidth
			c = cell{strings.Repeat(" ", n), n}
		default:
			if e := escapeRune(r, text[i:i+size]); e != text[i:i+size] {
				c = cell{e, len(e)}
			} else {
				c = cell{e, displayWidth(e)}
			}
		}
		cells = append(cells, c)
		col += c.width
		i += size
	}
	if first < 0 {
		first = len(cells)
	}
	if last < first {
		last = first
	}
	colOf := func(k int) int {
		w := 0
		for _, c := range cells[:k] {
			w += c.width
		}
		return w
	}
	total := colOf(len(cells))
	lead, stop := colOf(first), colOf(last)
	if total <= maxSnippet {
		return join(cells), lead, max(1, stop-lead)
	}
	// Show about maxSnippet columns from a third of a window before the
	// carets, and at most a window's width of carets; whole cells only.
	from := max(0, lead-maxSnippet/3)
	if from+maxSnippet > total {
		from = max(0, total-maxSnippet)
	}
	var b strings.Builder
	at, shownFrom, shownTo := 0, -1, 0
	for _, c := range cells {
		if at >= from && at+c.width <= from+maxSnippet {
			if shownFrom < 0 {
				shownFrom = at
			}
			b.WriteString(c.text)
			shownTo = at + c.width
		}
		at += c.width
	}
	if shownFrom < 0 {
		shownFrom = total
	}
	line := b.String()
	caret := lead - shownFrom
	if shownFrom > 0 {
		line = "..." + line
		caret += 3
	}
	if shownTo < total {
		line += "..."
	}
	n := max(1, min(stop, shownTo)-lead)
	return line, caret, n
}

func join(cells []cell) string {
	var b strings.Builder
	for _, c := range cells {
		b.WriteString(c.text)
	}
	return b.String()
}
