// Package archtest checks Ballast's dependency direction (docs/architecture.md):
// domain packages stay free of storage, HTTP, templates and FIX, and no package
// imports "upward".
package archtest

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/ballast-oms/ballast/"

// forbiddenInDomain are the technologies the domain packages never import.
var forbiddenInDomain = []string{
	"database/sql", "net/http", "github.com/go-chi/", "github.com/a-h/templ",
	"github.com/quickfixgo/", "modernc.org/sqlite", "log/slog",
}

// mayImport lists, for each of Ballast's packages, the other Ballast packages it
// may import directly. A package missing here is a test failure: new packages
// must take their place in the picture.
var mayImport = map[string][]string{
	"portfolio":            {},
	"user":                 {},
	"rebalance":            {"portfolio"},
	"compliance":           {"portfolio"},
	"order":                {"portfolio", "rebalance", "compliance", "user"},
	"trigger":              {"portfolio", "order", "user"},
	"marketdata":           {"portfolio"},
	"fixclient":            {"order", "portfolio", "internal/fixstore"},
	"brokersim":            {"internal/fixstore"},
	"static":               {},
	"db":                   {"portfolio", "user", "order", "compliance", "rebalance", "trigger"},
	"web/views":            {"portfolio", "user", "order", "compliance", "rebalance", "trigger", "static"},
	"web":                  {"portfolio", "user", "order", "compliance", "rebalance", "trigger", "marketdata", "static", "web/views"},
	"internal/browsertest": {},
	"internal/archtest":    {},
	"internal/fixstore":    {},
}

var domain = []string{"portfolio", "user", "rebalance", "compliance", "order", "trigger"}

// imports returns each Ballast package's direct imports (tests excluded).
func imports(t *testing.T) map[string][]string {
	t.Helper()
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", module+"...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	m := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		m[strings.TrimPrefix(f[0], module)] = f[1:]
	}
	return m
}

func TestDomainPackagesStayPure(t *testing.T) {
	all := imports(t)
	for _, pkg := range domain {
		for _, imp := range all[pkg] {
			for _, bad := range forbiddenInDomain {
				if imp == bad || strings.HasPrefix(imp, bad) {
					t.Errorf("%s imports %s: domain packages never import storage, HTTP, templates, FIX or logging", pkg, imp)
				}
			}
		}
	}
}

func TestDependencyDirection(t *testing.T) {
	for pkg, imps := range imports(t) {
		if pkg == "cmd/ballast" {
			continue // all wiring lives there
		}
		allowed, known := mayImport[pkg]
		if !known {
			t.Errorf("package %s has no place in the dependency picture (add it to mayImport and docs/architecture.md)", pkg)
			continue
		}
		for _, imp := range imps {
			inner, ok := strings.CutPrefix(imp, module)
			if ok && !slices.Contains(allowed, inner) {
				t.Errorf("%s imports %s, which the dependency direction does not allow", pkg, inner)
			}
		}
	}
}
