package check

import (
	"crypto"
	"errors"
	"fmt"
	"strings"
)

// Image references are checked against the grammar of
// github.com/distribution/reference, which the kubelet parses image names
// with, giving the same verdict and message as its ParseNormalizedNamed
// (image_test.go compares the two on generated and fuzzed input). That
// package compiles a dozen regular expressions at initialisation, which
// every wavec command paid at start-up, and matching them is slower than
// reading the grammar's few productions directly, as here.

// The messages of the grammar's errors.
var (
	errImageFormat    = errors.New("invalid reference format")
	errImageUppercase = errors.New("repository name must be lowercase")
	errImageTooLong   = fmt.Errorf("repository name must not be more than %v characters", maxImagePath)
	errDigestFormat   = errors.New("invalid checksum digest format")
	errDigestLength   = errors.New("invalid checksum digest length")
	errDigestAlgo     = errors.New("unsupported digest algorithm")
)

// maxImagePath is the longest repository path.
const maxImagePath = 255

// Docker Hub, the registry of names without a domain.
const (
	hubDomain       = "docker.io"
	hubLegacyDomain = "index.docker.io"
	hubOfficial     = "library/"
)

// parseImage returns why img is not an image reference the kubelet can
// pull, or nil.
func parseImage(img string) error {
	if isIdentifier(img) {
		return fmt.Errorf("invalid repository name (%s), cannot specify 64-byte hexadecimal strings", img)
	}
	domain, rest := splitImageDomain(img)
	repo := rest
	if i := strings.IndexByte(rest, ':'); i >= 0 {
		repo = rest[:i]
	}
	if strings.ToLower(repo) != repo {
		return fmt.Errorf("invalid reference format: repository name (%s) must be lowercase", repo)
	}
	s := domain + "/" + rest
	path, digest, ok := splitReference(s)
	if !ok {
		if _, _, ok := splitReference(strings.ToLower(s)); ok {
			return errImageUppercase
		}
		return errImageFormat
	}
	if len(path) > maxImagePath {
		return errImageTooLong
	}
	if digest != "" {
		return checkDigest(digest)
	}
	return nil
}

// splitReference matches s against the grammar's reference production,
// [domain/]path[:tag][@digest], and returns its path and digest.
func splitReference(s string) (path, digest string, ok bool) {
	name := s
	if i := strings.IndexByte(s, '@'); i >= 0 {
		name, digest = s[:i], s[i+1:]
		if !isReferenceDigest(digest) {
			return "", "", false
		}
	}
	// A path has no colon: one after the last slash starts the tag.
	if i := strings.LastIndexByte(name, ':'); i >= 0 && !strings.Contains(name[i:], "/") {
		if !isTag(name[i+1:]) {
			return "", "", false
		}
		name = name[:i]
	}
	// The domain, if any, is all before the first slash; a name whose
	// first part is no domain is all path.
	if i := strings.IndexByte(name, '/'); i >= 0 && isDomain(name[:i]) && isPath(name[i+1:]) {
		return name[i+1:], digest, true
	}
	if isPath(name) {
		return name, digest, true
	}
	return "", "", false
}

func isLowerAlnum(c byte) bool { return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' }

func isAlnum(c byte) bool { return isLowerAlnum(c) || 'A' <= c && c <= 'Z' }

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

// isPath reports whether p is path components joined by slashes.
func isPath(p string) bool {
	for part := range strings.SplitSeq(p, "/") {
		if !isPathComponent(part) {
			return false
		}
	}
	return true
}

// isPathComponent reports whether c is runs of lower-case letters and
// digits joined by one period, one or two underscores, or dashes.
func isPathComponent(c string) bool {
	i := 0
	for {
		j := i
		for j < len(c) && isLowerAlnum(c[j]) {
			j++
		}
		if j == i {
			return false
		}
		if j == len(c) {
			return true
		}
		switch c[j] {
		case '.':
			j++
		case '_':
			j++
			if j < len(c) && c[j] == '_' {
				j++
			}
		case '-':
			for j < len(c) && c[j] == '-' {
				j++
			}
		default:
			return false
		}
		i = j
	}
}

// isDomain reports whether d is a host (a DNS-like name or an IPv6
// address in brackets) with an optional :port.
func isDomain(d string) bool {
	host, port := d, ""
	if strings.HasPrefix(d, "[") {
		end := strings.IndexByte(d, ']')
		if end < 2 || strings.Trim(d[1:end], "0123456789abcdefABCDEF:") != "" {
			return false
		}
		host, port = "", d[end+1:]
	} else if i := strings.IndexByte(d, ':'); i >= 0 {
		host, port = d[:i], d[i:]
	}
	if port != "" && (port[0] != ':' || len(port) == 1 || strings.Trim(port[1:], "0123456789") != "") {
		return false
	}
	if host == "" {
		return strings.HasPrefix(d, "[")
	}
	for label := range strings.SplitSeq(host, ".") {
		if label == "" || !isAlnum(label[0]) || !isAlnum(label[len(label)-1]) {
			return false
		}
		for i := range len(label) {
			if !isAlnum(label[i]) && label[i] != '-' {
				return false
			}
		}
	}
	return true
}

// isTag reports whether t is 1 to 128 word characters, periods and dashes,
// not starting with a period or dash.
func isTag(t string) bool {
	if t == "" || len(t) > 128 || t[0] == '.' || t[0] == '-' {
		return false
	}
	for i := range len(t) {
		if c := t[i]; !isAlnum(c) && c != '_' && c != '.' && c != '-' {
			return false
		}
	}
	return true
}

// isReferenceDigest reports whether d is a digest as the reference
// grammar writes one: an algorithm (letter-led words joined by - _ + or
// .), a colon and at least 32 hex digits.
func isReferenceDigest(d string) bool {
	algo, hex, ok := strings.Cut(d, ":")
	if !ok || len(hex) < 32 || strings.IndexFunc(hex, func(r rune) bool { return r > 0x7f || !isHex(byte(r)) }) >= 0 {
		return false
	}
	return isWords(algo, "-_+.", func(c byte, first bool) bool {
		return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || !first && '0' <= c && c <= '9'
	})
}

// isWords reports whether s is non-empty words joined by single
// characters of seps, each word's characters accepted by ok.
func isWords(s, seps string, ok func(c byte, first bool) bool) bool {
	start := 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && !strings.ContainsRune(seps, rune(s[i])) {
			if !ok(s[i], i == start) {
				return false
			}
			continue
		}
		if i == start {
			return false
		}
		start = i + 1
	}
	return true
}

// isIdentifier reports whether s is 64 lower-case hex digits, which the
// grammar refuses as a name.
func isIdentifier(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := range len(s) {
		if !('0' <= s[i] && s[i] <= '9' || 'a' <= s[i] && s[i] <= 'f') {
			return false
		}
	}
	return true
}

// splitImageDomain splits an image name into the registry and the rest,
// giving names without a registry Docker Hub's, and its official images
// their library/ path.
func splitImageDomain(img string) (domain, rest string) {
	first, after, ok := strings.Cut(img, "/")
	switch {
	case !ok:
		return hubDomain, hubOfficial + img
	case first == "localhost":
		domain, rest = first, after
	case first == hubLegacyDomain:
		domain, rest = hubDomain, after
	case strings.ContainsAny(first, ".:"), strings.ToLower(first) != first:
		domain, rest = first, after
	default:
		domain, rest = hubDomain, img
	}
	if domain == hubDomain && !strings.Contains(rest, "/") {
		rest = hubOfficial + rest
	}
	return domain, rest
}

// checkDigest returns why d (algorithm:hex) is not a digest of an
// algorithm the registry supports, or nil.
func checkDigest(d string) error {
	i := strings.IndexByte(d, ':')
	if i <= 0 || i+1 == len(d) {
		return errDigestFormat
	}
	algo, hex := d[:i], d[i+1:]
	hashes := map[string]crypto.Hash{"sha256": crypto.SHA256, "sha384": crypto.SHA384, "sha512": crypto.SHA512}
	h, ok := hashes[algo]
	if !ok || !h.Available() {
		// go-digest's own grammar of a digest of any algorithm.
		algoOK := isWords(algo, ".+_-", func(c byte, _ bool) bool { return isLowerAlnum(c) })
		if !algoOK || hex == "" || strings.Trim(hex, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789=_-") != "" {
			return errDigestFormat
		}
		return errDigestAlgo
	}
	if len(hex) != 2*h.Size() {
		return errDigestLength
	}
	for _, c := range []byte(hex) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return errDigestFormat
		}
	}
	return nil
}
