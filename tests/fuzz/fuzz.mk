# fuzz.mk — the libFuzzer target for the NPY header parser.  Included by the
# Makefile when present.
#
#   make fuzz [FUZZ_TIME=60]   fuzz lib/npy.c; new inputs go to build/fuzz/corpus,
#                              a crashing input to build/fuzz/crash-*
#
# It needs clang with libFuzzer (Debian: clang).  `make check` builds the
# target when it can; tests/fuzz/fuzz.sh gives it a short run, and says
# SKIPPED when it could not be built.  The target is always built with
# AddressSanitizer and UndefinedBehaviorSanitizer, whatever SANITIZE says:
# it compiles lib/npy.c itself, instrumented for coverage.

FUZZ_CC    ?= clang
FUZZ_TIME  ?= 60
FUZZ_BIN   := $(B)/fuzz/fuzz_npy
FUZZ_FLAGS := -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -Ilib -g -O1 \
              -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all

.PHONY: fuzz

# Without clang, or a clang whose libFuzzer is missing, nothing is built and
# the test says why; a compile error in the target itself still fails.
$(FUZZ_BIN): tests/fuzz/fuzz_npy.c lib/npy.c lib/npy.h tests/fuzz/fuzz.mk
	@mkdir -p $(@D)
	$(Q)if ! command -v $(FUZZ_CC) >/dev/null 2>&1; then \
		echo "  (no $(FUZZ_CC): the NPY fuzz target is not built; sudo apt-get install clang)"; \
	elif ! printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return d && n ? 0 : 0; }\n' | \
		$(FUZZ_CC) -fsanitize=fuzzer -x c - -o $(@D)/probe >/dev/null 2>&1; then \
		echo "  ($(FUZZ_CC) cannot build libFuzzer targets: the NPY fuzz target is not built)"; \
	else \
		printf '  %-6s %s\n' FUZZ $@; \
		$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ tests/fuzz/fuzz_npy.c lib/npy.c; \
	fi; rm -f $(@D)/probe

test-programs: $(FUZZ_BIN)

fuzz: $(FUZZ_BIN)
	@test -x $(FUZZ_BIN) || { echo "make fuzz: needs clang with libFuzzer (sudo apt-get install clang)" >&2; exit 1; }
	@mkdir -p $(B)/fuzz/corpus
	$(FUZZ_BIN) -max_total_time=$(FUZZ_TIME) -dict=tests/fuzz/npy.dict \
		-artifact_prefix=$(B)/fuzz/ $(B)/fuzz/corpus tests/fuzz/corpus
