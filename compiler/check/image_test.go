package check

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/distribution/reference"
)

// imageCases are image references of every shape the grammar knows, valid
// and not.
var imageCases = []string{
	"nginx", "nginx:1.27", "nginx:latest", "library/nginx", "docker.io/nginx", "index.docker.io/nginx",
	"docker.io/library/nginx:1.0", "ghcr.io/acme/shop:1.4.2", "ghcr.io/acme/shop", "localhost/app", "localhost:5000/app:v1",
	"127.0.0.1:5000/a/b/c:tag", "[::1]:5000/app", "[fe80::1]/app", "[::1/app", "[]/app", "[]:5000/app", "[::1]]/a", "[g::1]/a", "[::1]:/a", "[::1]x/a", "a.-b/c", "a..b/c", "a.b:1:2/c", "example.com:/app", "example.com:x/app",
	"Example.com/app", "EXAMPLE/app", "acme/App", "Nginx", "nginx:Latest", "nginx:" + strings.Repeat("t", 128), "nginx:" + strings.Repeat("t", 129),
	"a/" + strings.Repeat("b", 253), "a/" + strings.Repeat("b", 254), "example.com/" + strings.Repeat("b", 255), "example.com/" + strings.Repeat("b", 256),
	"", ":", "@", "/", "//", "a//b", "a/", "/a", "a:", "a@", "a:b@", "-a", "a-", "a--b", "a__b", "a___b", "a.b", "a..b", "a._b", "a_.b",
	"a-b-c", "a.b.c/d", "a:b:c", "a/b:c/d", "host:123/name:tag:tag", "ex-ample.com/a", "-example.com/a", "example-.com/a",
	"nginx@sha256:" + strings.Repeat("a", 64), "nginx:1@sha256:" + strings.Repeat("0", 64), "nginx@sha256:" + strings.Repeat("A", 64),
	"nginx@sha256:" + strings.Repeat("a", 63), "nginx@sha256:" + strings.Repeat("a", 65), "nginx@sha384:" + strings.Repeat("b", 96),
	"nginx@sha512:" + strings.Repeat("c", 128), "nginx@sha512:" + strings.Repeat("c", 64), "nginx@md5:" + strings.Repeat("d", 32),
	"nginx@SHA256:" + strings.Repeat("a", 64), "nginx@sha256+b64:" + strings.Repeat("a", 64), "nginx@sha256:" + strings.Repeat("a", 31),
	"nginx@sha256-x.y_z:" + strings.Repeat("f", 40), "nginx@" + strings.Repeat("a", 64), "@sha256:" + strings.Repeat("a", 64),
	strings.Repeat("a", 64), strings.Repeat("A", 64), strings.Repeat("a", 63), strings.Repeat("a", 64) + ":tag", "sha256:" + strings.Repeat("a", 64),
	"ubuntu:22.04 ", " ubuntu", "ubuntu\n", "ubu ntu", "ubuntu:tag with space", "ünïcode", "a:ü", "a/b/c/d/e/f:1",
}

// wantImage is what github.com/distribution/reference says of img.
func wantImage(img string) string {
	if _, err := reference.ParseNormalizedNamed(img); err != nil {
		return err.Error()
	}
	return ""
}

func gotImage(img string) string {
	if err := parseImage(img); err != nil {
		return err.Error()
	}
	return ""
}

// parseImage agrees with github.com/distribution/reference's
// ParseNormalizedNamed, error message included, on the cases and on
// random strings over the grammar's characters.
func TestParseImageMatchesDistribution(t *testing.T) {
	check := func(img string) {
		t.Helper()
		if got, want := gotImage(img), wantImage(img); got != want {
			t.Errorf("parseImage(%q) = %q, distribution/reference says %q", img, got, want)
		}
	}
	for _, img := range imageCases {
		check(img)
	}
	rng := rand.New(rand.NewPCG(18, 4))
	pieces := []string{"a", "b", "z", "0", "9", "A", "F", "G", ".", "_", "__", "-", "--", "/", ":", "@", "[", "]", "::1",
		"localhost", "docker.io", "index.docker.io", "example.com", "sha256:", "sha512:", "sha384:", "md5:",
		strings.Repeat("a", 32), strings.Repeat("e", 64), strings.Repeat("0", 96), strings.Repeat("f", 128), "5000", " ", "é"}
	for range 50000 {
		var b strings.Builder
		for range 1 + rng.IntN(8) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		check(b.String())
	}
}

// FuzzParseImage compares parseImage with distribution/reference on
// arbitrary input.
func FuzzParseImage(f *testing.F) {
	for _, img := range imageCases {
		f.Add(img)
	}
	f.Fuzz(func(t *testing.T, img string) {
		if got, want := gotImage(img), wantImage(img); got != want {
			t.Errorf("parseImage(%q) = %q, distribution/reference says %q", img, got, want)
		}
	})
}
