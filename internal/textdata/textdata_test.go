package textdata

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestFields(t *testing.T) {
	in := "# header\n\n 3200. 1.017 # comment\n\t3250.  0.881\n#only\n   \n4000 x y z\n"
	var lines []int
	var got [][]string
	err := Fields(strings.NewReader(in), 100, func(line int, f []string) error {
		lines = append(lines, line)
		got = append(got, f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"3200.", "1.017"}, {"3250.", "0.881"}, {"4000", "x", "y", "z"}}
	if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(lines, []int{3, 4, 7}) {
		t.Fatalf("got %v at lines %v", got, lines)
	}
}

func TestFieldsErrors(t *testing.T) {
	stop := errors.New("stop")
	n := 0
	err := Fields(strings.NewReader("1\n2\n3\n"), 100, func(line int, f []string) error {
		n++
		if line == 2 {
			return stop
		}
		return nil
	})
	if err != stop || n != 2 {
		t.Errorf("callback error: %v after %d lines", err, n)
	}
	err = Fields(strings.NewReader("1\n"+strings.Repeat("x", 200)+"\n"), 64, func(int, []string) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("long line: %v", err)
	}
}
