package check

import (
	"crypto"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// Image references are checked against the grammar of
// github.com/distribution/reference, which the kubelet parses image names
// with, giving the same verdict and message as its ParseNormalizedNamed
// (image_test.go compares the two). That package compiles a dozen regular
// expressions at initialisation, which every wavec command paid at
// start-up; here they are compiled when the first image is checked.

// imageGrammar holds the compiled expressions of the grammar.
type imageGrammar struct {
	reference  *regexp.Regexp // name, tag and digest, captured
	name       *regexp.Regexp // domain and path of a name, captured
	identifier *regexp.Regexp // a bare 64-character hex identifier
	digest     *regexp.Regexp // a digest of any algorithm
}

var imageRE = sync.OnceValue(func() *imageGrammar {
	const (
		alnum      = `[a-z0-9]+`
		separator  = `(?:[._]|__|[-]+)`
		pathPart   = alnum + `(?:` + separator + alnum + `)*`
		path       = pathPart + `(?:/` + pathPart + `)*`
		domainPart = `(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])`
		host       = `(?:` + domainPart + `(?:\.` + domainPart + `)*` + `|\[(?:[a-fA-F0-9:]+)\])`
		domain     = host + `(?::[0-9]+)?`
		name       = `(?:` + domain + `/)?` + path
		tag        = `[\w][\w.-]{0,127}`
		digest     = `[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][[:xdigit:]]{32,}`
	)
	return &imageGrammar{
		reference:  regexp.MustCompile(`^(` + name + `)(?::(` + tag + `))?(?:@(` + digest + `))?$`),
		name:       regexp.MustCompile(`^(?:(` + domain + `)/)?(` + path + `)$`),
		identifier: regexp.MustCompile(`^[a-f0-9]{64}$`),
		digest:     regexp.MustCompile(`^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$`),
	}
})

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
	g := imageRE()
	if g.identifier.MatchString(img) {
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
	m := g.reference.FindStringSubmatch(s)
	if m == nil {
		if g.reference.MatchString(strings.ToLower(s)) {
			return errImageUppercase
		}
		return errImageFormat
	}
	if n := g.name.FindStringSubmatch(m[1]); len(n[2]) > maxImagePath {
		return errImageTooLong
	}
	if m[3] != "" {
		return checkDigest(g, m[3])
	}
	return nil
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
func checkDigest(g *imageGrammar, d string) error {
	i := strings.IndexByte(d, ':')
	if i <= 0 || i+1 == len(d) {
		return errDigestFormat
	}
	algo, hex := d[:i], d[i+1:]
	hashes := map[string]crypto.Hash{"sha256": crypto.SHA256, "sha384": crypto.SHA384, "sha512": crypto.SHA512}
	h, ok := hashes[algo]
	if !ok || !h.Available() {
		if !g.digest.MatchString(d) {
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
