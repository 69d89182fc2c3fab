package nn

import (
	"testing"

	"github.com/gomlx/gomlx/backends"
)

func TestBackendConfig(t *testing.T) {
	def := DefaultBackendConfig
	if raceEnabled {
		def = raceBackendConfig
	}
	for _, tc := range []struct{ env, want string }{
		{"", def},
		{"  ", def},
		{"go", DefaultBackendConfig},
		{"go:", DefaultBackendConfig},
		{"go:dotgeneral_large", "go:dotgeneral_large,parallelism=-1"},
		{"go:parallelism=4", "go:parallelism=4"},
		{"go:ops_sequential", "go:ops_sequential"},
		{"xla:cpu", "xla:cpu"},
	} {
		t.Setenv(backends.ConfigEnvVar, tc.env)
		if got := BackendConfig(); got != tc.want {
			t.Errorf("GOMLX_BACKEND=%q: config %q, want %q", tc.env, got, tc.want)
		}
	}
}

func TestBackend(t *testing.T) {
	t.Setenv(backends.ConfigEnvVar, "")
	b, err := Backend()
	if err != nil {
		t.Fatal(err)
	}
	if b.String() != "go" {
		t.Errorf("default backend %q, want go (simplego)", b.String())
	}
	b.Finalize()

	// A backend the binary does not have is an error, not a panic.
	t.Setenv(backends.ConfigEnvVar, "nosuchbackend")
	if b, err := Backend(); err == nil {
		b.Finalize()
		t.Error("GOMLX_BACKEND=nosuchbackend: no error")
	}
}
