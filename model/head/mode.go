package head

import "fmt"

// Mode selects the output activation of a head.
type Mode uint8

const (
	// MultiLabel scores every label independently with a sigmoid; a poster
	// may belong to several genres. It is the zero value.
	MultiLabel Mode = iota
	// MultiClass normalises the logits with a softmax; exactly one class
	// applies.
	MultiClass
)

// String returns "multi-label" or "multi-class".
func (m Mode) String() string {
	switch m {
	case MultiLabel:
		return "multi-label"
	case MultiClass:
		return "multi-class"
	}
	return fmt.Sprintf("Mode(%d)", uint8(m))
}

// ParseMode is the inverse of Mode.String.
func ParseMode(s string) (Mode, error) {
	switch s {
	case "multi-label":
		return MultiLabel, nil
	case "multi-class":
		return MultiClass, nil
	}
	return 0, fmt.Errorf("head: unknown mode %q (want multi-label or multi-class)", s)
}

// MarshalText implements encoding.TextMarshaler.
func (m Mode) MarshalText() ([]byte, error) {
	if m > MultiClass {
		return nil, fmt.Errorf("head: invalid mode %d", uint8(m))
	}
	return []byte(m.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (m *Mode) UnmarshalText(b []byte) error {
	v, err := ParseMode(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}
