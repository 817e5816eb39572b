package fixclient

import (
	"os"
	"testing"
)

// TestInteropExecutorPresentInCI makes CI fail, rather than skip the
// interoperability test, when the QuickFIX C++ executor was not built:
// .ci/run installs libquickfix-dev and libquickfix-doc, builds the example
// executor and sets BALLAST_QUICKFIX_EXECUTOR.
func TestInteropExecutorPresentInCI(t *testing.T) {
	if os.Getenv("CI") != "true" {
		t.Skip("only enforced when CI=true")
	}
	bin := os.Getenv("BALLAST_QUICKFIX_EXECUTOR")
	if bin == "" {
		t.Fatal("CI=true but BALLAST_QUICKFIX_EXECUTOR is not set: TestInteropQuickFIXExecutor would skip; install libquickfix-dev and libquickfix-doc and build the executor (see .ci/run)")
	}
	fi, err := os.Stat(bin)
	if err != nil || fi.IsDir() || fi.Mode().Perm()&0o111 == 0 {
		t.Fatalf("BALLAST_QUICKFIX_EXECUTOR=%s is not an executable file: %v", bin, err)
	}
}
