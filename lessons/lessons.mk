# lessons.mk — the lessons' generated parts.  Included by the Makefile.
#
#   make lessons         rewrite the excerpts and the outputs in lessons/*.md
#                        from the sources and from real runs of the programs
#   make lessons-check   only the lessons' tests: drift and runnable commands
#
# tools/lessons.sh does the work; lessons/scenes/NN.sh are the runs.

.PHONY: lessons lessons-check

lessons: deps-check
	$(Q)$(MAKE) --no-print-directory programs
	$(Q)bash tools/lessons.sh

lessons-check: programs
	$(Q)bash tests/run.sh tests/lessons/
