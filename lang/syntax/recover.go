package syntax

import (
	"errors"
	"slices"
	"sort"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// A syntax error ends the declaration it is in, not the file: the parser
// resumes at the next line that starts a declaration, so a file with errors
// in several declarations reports each of them once, and the declarations
// after an error are still in the tree (the language server reads them).
// The declaration with the error is kept as far as it was parsed.
//
// A declaration starts at column 1 with one of declStarters, followed by
// something other than what follows a key (`=`, `{`, `->`, a separator or a
// closing bracket). Entries of a block are indented, so a block that is
// never closed does not hide the declarations after it; an unindented key
// that is also a keyword (`service = ...`) is not taken for one.

// declStarters are the words a declaration can start with.
var declStarters = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range slices.Concat([]string{"pipeline", "param", "wave", ObjectKeyword}, KindKeywords, phaseWords) {
		m[w] = true
	}
	return m
}()

// resumeAt returns the index in tokens of the first token at or after index
// from that starts a declaration, or -1.
func resumeAt(tokens []lexer.Token, from int) int {
	for i := from; i < len(tokens); i++ {
		t := tokens[i]
		if !isNameToken(t) || t.Pos.Column != 1 || !declStarters[t.Value] {
			continue
		}
		next := nextSignificant(tokens, i+1)
		if next < 0 {
			return -1
		}
		switch n := tokens[next]; {
		case n.Type == tokArrow, n.Type == tokPunct && n.Value != "<", n.Type == tokSep && n.Value != ",":
			continue
		}
		return i
	}
	return -1
}

// nextSignificant returns the index of the first token at or after i that is
// neither whitespace nor a comment, or -1.
func nextSignificant(tokens []lexer.Token, i int) int {
	for ; i < len(tokens); i++ {
		if tokens[i].Type != tokWhitespace && tokens[i].Type != tokComment {
			return i
		}
	}
	return -1
}

// tokenIndex returns the index of the first token that starts at or after
// byte offset off.
func tokenIndex(tokens []lexer.Token, off int) int {
	return sort.Search(len(tokens), func(i int) bool { return tokens[i].Pos.Offset >= off })
}

// chunk is the result of parsing the tokens from one resume point on.
type chunk struct {
	file  *File
	err   error
	start int // byte offset where the chunk starts
}

// parseChunks parses the file from its first token and, after each syntax
// error, again from the next declaration after it.
func parseChunks(peeker *lexer.PeekingLexer, tokens []lexer.Token) []chunk {
	f, err := parser().ParseFromLexer(peeker)
	chunks := []chunk{{f, err, 0}}
	for err != nil {
		var pe participle.Error
		if !errors.As(err, &pe) {
			break
		}
		off := pe.Position().Offset
		// The first token of a chunk is where it started: resuming there
		// again would not progress.
		from := tokenIndex(tokens, off)
		if from <= tokenIndex(tokens, chunks[len(chunks)-1].start) {
			from = tokenIndex(tokens, chunks[len(chunks)-1].start) + 1
		}
		i := resumeAt(tokens, from)
		if i < 0 {
			break
		}
		lx, lerr := lexer.Upgrade(&tokenLexer{tokens: tokens[i:]}, tokComment)
		if lerr != nil {
			break
		}
		f, err = parser().ParseFromLexer(lx)
		chunks = append(chunks, chunk{f, err, tokens[i].Pos.Offset})
	}
	return chunks
}
