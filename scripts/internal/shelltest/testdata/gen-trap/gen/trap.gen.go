// Booby-trapped "generated" code, as a hostile document or a compromised
// preparing job could leave on the branch: it creates $SHELLTEST_TRAP if
// anything builds, tests or generates it. publish must push it as data.
package gen

import "os"

//go:generate sh -c "echo pwned >\"$SHELLTEST_TRAP\""

func init() { os.WriteFile(os.Getenv("SHELLTEST_TRAP"), []byte("pwned"), 0o644) }
