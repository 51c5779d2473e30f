package doctor_test

import (
	"testing"

	"validator/internal/leaktest"
)

func TestMain(m *testing.M) { leaktest.Main(m) }
