package train

import (
	"fmt"
	"strings"

	"posterity/model/head"
)

// MobileNetV2Params is the parameter count of Keras' MobileNetV2 (alpha 1.0,
// 224×224) up to the 1280-d global-average-pooled feature, i.e. without the
// 1000-class classifier (3,504,872 with it; the classifier is
// 1280·1000 + 1000 = 1,281,000). Pass it to Summary as backboneParams: the
// backbone is frozen, so it counts as non-trainable.
const MobileNetV2Params = 2_257_984

// Summary returns a table in the style of Keras' model.summary() for the
// frozen backbone (when backboneParams > 0, as non-trainable parameters)
// followed by the two Dense layers of h.
func Summary(h *head.Head, backboneParams int) string {
	type row struct {
		name, shape string
		params      int
	}
	act := "sigmoid"
	if h.Mode == head.MultiClass {
		act = "softmax"
	}
	var rows []row
	if backboneParams > 0 {
		rows = append(rows, row{"feature_extractor (MobileNetV2)", fmt.Sprintf("(None, %d)", h.In), backboneParams})
	}
	hidden := h.In*h.Hidden + h.Hidden
	output := h.Hidden*h.Out + h.Out
	rows = append(rows,
		row{"hidden_layer (Dense, relu)", fmt.Sprintf("(None, %d)", h.Hidden), hidden},
		row{"output (Dense, " + act + ")", fmt.Sprintf("(None, %d)", h.Out), output})

	var b strings.Builder
	line := strings.Repeat("_", 72)
	fmt.Fprintf(&b, "Model: \"posterity_head\"\n%s\n", line)
	fmt.Fprintf(&b, " %-36s%-22s%s\n", "Layer (type)", "Output Shape", "Param #")
	b.WriteString(strings.Repeat("=", 72) + "\n")
	for i, r := range rows {
		fmt.Fprintf(&b, " %-36s%-22s%d\n", r.name, r.shape, r.params)
		if i < len(rows)-1 {
			b.WriteString("\n")
		}
	}
	b.WriteString(strings.Repeat("=", 72) + "\n")
	trainable := hidden + output
	nonTrainable := max(backboneParams, 0)
	fmt.Fprintf(&b, "Total params: %s\n", commas(trainable+nonTrainable))
	fmt.Fprintf(&b, "Trainable params: %s\n", commas(trainable))
	fmt.Fprintf(&b, "Non-trainable params: %s\n", commas(nonTrainable))
	b.WriteString(line + "\n")
	return b.String()
}

// commas formats n with thousands separators: 3588178 → "3,588,178".
func commas(n int) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
