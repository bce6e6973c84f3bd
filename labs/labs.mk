# labs.mk — the graded labs.  Included by the Makefile.
#
#   make lab LAB=NN      copy labs/NN-name/starter.c to lab.c (never over one)
#   make grade           grade every lab; LAB=NN one; GRADE_JSON=FILE appends
#                        one JSON record of the run to FILE

.PHONY: grade lab

grade: programs
	$(Q)bash labs/grade $(LAB) $(if $(GRADE_JSON),--json $(GRADE_JSON))

lab:
	@if [ -z "$(LAB)" ]; then echo "make lab LAB=NN: which lab? ($$(cd labs && ls -d [0-9][0-9]-*/ | tr -d / | tr '\n' ' '))" >&2; exit 2; fi
	@d=$$(ls -d labs/$(LAB)-*/ labs/$(LAB)/ 2>/dev/null | head -n1); d=$${d%/}; \
	if [ -z "$$d" ]; then echo "make lab: no lab $(LAB) in labs/" >&2; exit 2; fi; \
	if [ -e "$$d/lab.c" ]; then echo "$$d/lab.c exists already: edit it (it is never overwritten); make grade LAB=$(LAB) grades it"; \
	else cp "$$d/starter.c" "$$d/lab.c" && echo "made $$d/lab.c from the starter: read $$d/README.md, fill in the TODOs, then make grade LAB=$(LAB)"; fi
