package kubeyaml

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// chunk is the raw text of one document of a stream.
type chunk struct {
	// data is the document's text, starting with its `---` line if it has
	// one. It is nil when the document is larger than MaxDocumentBytes.
	data []byte
	// line is the 1-based line of the stream on which data starts.
	line int
	// size is the document's size in bytes, counted even when data was
	// dropped for being too large.
	size int
	// tooLarge reports that size exceeds MaxDocumentBytes.
	tooLarge bool
}

// splitter cuts a YAML stream into documents at `---` and `...` marker
// lines. A marker is three dashes (or dots) at the start of a line followed
// by the end of the line or white space; YAML forbids such a line inside any
// content, so cutting there is exact and needs no parsing. Memory is
// bounded: a document's bytes are kept only up to MaxDocumentBytes.
type splitter struct {
	r    *bufio.Reader
	line int // lines consumed so far
	cur  chunk
	// pending is a marker line that starts the next document.
	pending []byte
	err     error
	started bool
}

func newSplitter(r io.Reader) *splitter {
	return &splitter{r: bufio.NewReaderSize(r, 64<<10)}
}

// next returns the next document, or ok false at the end of the stream. A
// read error ends the stream and is returned by readErr.
func (s *splitter) next() (c chunk, ok bool) {
	if s.err != nil {
		return chunk{}, false
	}
	s.cur = chunk{line: s.line + 1}
	if s.pending != nil {
		s.append(s.pending)
		s.pending = nil
		s.line++
	}
	for {
		line, err := s.readLine()
		if len(line) > 0 {
			if !s.started {
				s.started = true
				line = bytes.TrimPrefix(line, []byte("\xef\xbb\xbf"))
			}
			switch marker(line) {
			case '-':
				if s.cur.size > 0 {
					// The marker starts the next document.
					s.pending = line
					return s.cur, true
				}
				s.append(line)
				s.line++
				continue
			case '.':
				// The marker ends this document; the line itself is dropped.
				s.line++
				c := s.cur
				s.cur = chunk{line: s.line + 1}
				if c.size > 0 {
					return c, true
				}
				continue
			}
			s.append(line)
			s.line++
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				s.err = err
			} else {
				s.err = io.EOF
			}
			if s.cur.size > 0 {
				return s.cur, true
			}
			return chunk{}, false
		}
	}
}

// readErr returns the error that ended the stream, or nil at a clean end.
func (s *splitter) readErr() error {
	if errors.Is(s.err, io.EOF) {
		return nil
	}
	return s.err
}

// readLine returns the next line including its newline. Lines longer than
// MaxDocumentBytes are returned only up to just over the limit, with the
// rest consumed and counted, so one huge line cannot exhaust memory.
func (s *splitter) readLine() ([]byte, error) {
	b, err := s.r.ReadSlice('\n')
	if !errors.Is(err, bufio.ErrBufferFull) {
		return append([]byte(nil), b...), err
	}
	line := append([]byte(nil), b...)
	for errors.Is(err, bufio.ErrBufferFull) {
		b, err = s.r.ReadSlice('\n')
		if len(line) <= MaxDocumentBytes {
			line = append(line, b...)
		} else {
			// Keep counting the size without keeping the bytes.
			s.cur.size += len(b)
		}
	}
	return line, err
}

// append adds a line to the current document, dropping the text once the
// document is larger than the limit.
func (s *splitter) append(line []byte) {
	s.cur.size += len(line)
	if s.cur.tooLarge {
		return
	}
	if s.cur.size > MaxDocumentBytes {
		s.cur.tooLarge = true
		s.cur.data = nil
		return
	}
	s.cur.data = append(s.cur.data, line...)
}

// marker reports whether line is a document marker: '-' for `---` (start
// of a document), '.' for `...` (end of a document), 0 otherwise.
func marker(line []byte) byte {
	if len(line) < 3 {
		return 0
	}
	c := line[0]
	if c != '-' && c != '.' {
		return 0
	}
	if line[1] != c || line[2] != c {
		return 0
	}
	if len(line) == 3 {
		return c
	}
	switch line[3] {
	case ' ', '\t', '\r', '\n':
		return c
	}
	return 0
}

// blank reports whether a document holds nothing but white space, comments
// and a bare `---` marker.
func blank(data []byte) bool {
	for len(data) > 0 {
		var line []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			line, data = data, nil
		}
		if marker(line) == '-' {
			line = line[3:]
		}
		t := bytes.TrimLeft(line, " \t\r")
		if len(t) > 0 && t[0] != '#' {
			return false
		}
	}
	return true
}
