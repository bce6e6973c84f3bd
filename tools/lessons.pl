#!/usr/bin/perl
# lessons.pl — the text work of `make lessons` (tools/lessons.sh runs it).
#
#   lessons.pl normalise DIR KEY=VALUE...
#       Rewrite the parts a scene saved in DIR (DIR/.parts lists them in the
#       order they first appeared) so that they read the same whoever runs
#       them, wherever and whenever.  KEY=VALUE: name (the unique object
#       name the scene used), work (its directory), trace, user, group, uid,
#       gid.
#   lessons.pl splice LESSON ROOT PARTS HAVE
#       Print LESSON with its generated regions rewritten: excerpts from the
#       sources under ROOT, outputs from PARTS/SCENE/PART.txt.  HAVE lists
#       the capabilities this run has (comma-separated); a part that needs
#       another keeps the lesson's text.
#   lessons.pl blocks LESSON DIR
#       Write the lesson's runnable shell blocks into DIR, one file each,
#       and DIR/index: "N KIND LINE" per block (KIND: run, t1, t2, t3,
#       win32, live, numpy, python; see tests/lessons/commands.sh).
#
# The regions of a lesson (the markers are HTML comments, invisible once
# rendered):
#   <!-- excerpt FILE WORD -->  ...  <!-- /excerpt -->
#   <!-- output SCENE PART -->  ...  <!-- /output -->
use strict;
use warnings;
no warnings 'portable';   # 64-bit addresses through hex()


sub usage {
    print STDERR "usage: lessons.pl normalise DIR KEY=VALUE... | splice LESSON ROOT PARTS HAVE | blocks LESSON DIR\n";
    exit 2;
}

sub slurp {
    my ($path) = @_;
    open(my $fh, '<', $path) or die "$path: $!\n";
    local $/;
    my $s = <$fh>;
    close $fh;
    return $s;
}

sub spew {
    my ($path, $s) = @_;
    open(my $fh, '>', $path) or die "$path: $!\n";
    print $fh $s;
    close $fh or die "$path: $!\n";
}

# ---- normalise ------------------------------------------------------------
#
# What changes from run to run, and what it becomes:
#   the unique object name        /MyFileMappingObject-student
#   the scene's directory         /home/student/mmaplab
#   the user and group names      student; their uid and gid 1000
#   process ids                   4001, 4002, ... in order of appearance
#   addresses (12 hex digits)     0x7f0100000000, 0x7f0200000000, ... per
#                                 page, keeping the offset in the page; a
#                                 range keeps its length
#   inode numbers                 1001, 1002, ...; devices 0:26, 0:27, ...
#   physical frames               0x100000, 0x100001, ... (equal stays equal)
#   times                         a fixed date; trace timestamps one value
#   a disk file system's type     ext4
#   minor faults so far           150 + what was added since the first count
#   /dev/shm's size               8 GiB
# Equal values stay equal and different ones stay different, so a lesson
# can still say "the same frame" or "the same address".

my (%pidmap, %known_pid, $nextpid);
my (%pagemap, $nextpage);
my (%inomap, $nextino, %devmap, $nextdev, %pfnmap, $nextpfn);
my %o;

sub canon_pid {
    my ($p) = @_;
    return $p unless $known_pid{$p};
    $pidmap{$p} //= $nextpid++;
    return $pidmap{$p};
}

# In the parts a scene marks (relative_addresses), addresses of one process
# are kept apart by their real distance, when that is under 1.125 GiB: a
# new page near one already seen gets that one's canonical page plus the
# distance.  Elsewhere every new page gets a canonical page of its own, 4 GiB
# from the last, so that no two processes' addresses can come out related.
my ($relative, @seen_pages);
sub canon_page {
    my ($page) = @_;
    return $pagemap{$page} if exists $pagemap{$page};
    if ($relative) {
        my ($best, $bd);
        for my $q (@seen_pages) {
            my $d = abs($page - $q);
            ($best, $bd) = ($q, $d) if $d < 0x48000 && (!defined $bd || $d < $bd);
        }
        if (defined $best) {
            push @seen_pages, $page;
            return $pagemap{$page} = $pagemap{$best} + ($page - $best);
        }
    }
    push @seen_pages, $page;
    $pagemap{$page} = 0x7f0000000 + 0x100000 * $nextpage++;
    return $pagemap{$page};
}

sub canon_addr {
    my ($hex) = @_;
    my $a = hex($hex);
    return sprintf('%012x', canon_page($a >> 12) * 4096 + ($a & 0xfff));
}

sub canon_range {
    my ($s, $e) = @_;
    my ($a, $b) = (hex($s), hex($e));
    my $cs = canon_addr($s);
    return "$cs-$e" if $b < $a;
    return $cs . '-' . sprintf('%0*x', length($e), hex($cs) + ($b - $a));
}

sub canon_ino {
    my ($n) = @_;
    $inomap{$n} //= $nextino++;
    return $inomap{$n};
}

# Devices by major and minor: the first one seen becomes 0:26 (00:1a in
# /proc/PID/maps, which writes them in hex), the next 0:27, ...
sub canon_dev {
    my ($major, $minor) = @_;
    $devmap{"$major:$minor"} //= $nextdev++;
    return $devmap{"$major:$minor"};
}

# A line of /proc/PID/maps (grep may put "FILE:" before it): the device and
# inode normalised, and the path moved back to the column the kernel puts
# it in (it pads the fields before it to 72 characters and a space).
sub maps_line {
    my ($lead, $fields, $maj, $min, $ino, $path) = @_;
    my $d = canon_dev(hex($maj), hex($min));
    my $line = sprintf('%s%02x:%02x %d', $fields, 0, $d, canon_ino($ino));
    $line .= ' ' x (72 - length($line)) if length($line) < 72;
    return "$lead$line $path";
}

# A dev_t as one number (st_dev printed with %llu): its major and minor.
sub canon_devnum {
    my ($n) = @_;
    my $major = (($n >> 8) & 0xfff) | (($n >> 32) & ~0xfff);
    my $minor = ($n & 0xff) | (($n >> 12) & ~0xff);
    return canon_dev($major, $minor);
}

sub canon_pfn {
    my ($n) = @_;
    return $n if $n =~ /^(0x)?0+$/;     # frame 0: hidden, not a frame
    my $v = $n =~ /^0x/i ? hex($n) : $n;
    $pfnmap{$v} //= $nextpfn++;
    return $n =~ /^0x/i ? sprintf('0x%x', $pfnmap{$v}) : $pfnmap{$v};
}

my $MONTH = qr/(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)/;

my $faults_base;
sub canon_faults {
    my ($n) = @_;
    $faults_base //= $n;
    return 150 + ($n - $faults_base);
}

# The sections of `mmapview --once` whose rows begin with a pid.
my $section = '';
sub pid_rows { return $section eq 'frames' || $section eq 'processes' }
sub track_section {
    my ($l) = @_;
    if    ($l =~ /^Frames of page \d+$/) { $section = 'frames' }
    elsif ($l =~ /^Processes$/)         { $section = 'processes' }
    elsif ($l =~ /^Trace$/)             { $section = 'trace' }
    elsif ($l =~ /^\S/ || $l eq '')     { $section = '' }
}

sub normalise_line {
    local $_ = shift;
    track_section($_);
    my $name = $o{name};
    (my $bare = $name) =~ s{^/}{};
    my $work = $o{work};
    my ($user, $group, $uid, $gid) = @o{qw(user group uid gid)};

    # The scene's directory stands for the student's checkout, also as
    # Wine writes it (Z: is the Unix root).
    for my $dir (grep { $_ ne '' } split /:/, $work) {
        s/\Q$dir\E/\/home\/student\/mmaplab/g;
        (my $w = "Z:$dir") =~ s{/}{\\}g;
        s/\Q$w\E/Z:\\home\\student\\mmaplab/gi;
    }
    if ($o{trace}) {
        (my $t = "Z:$o{trace}") =~ s{/}{\\}g;
        s/\Q$t\E/Z:\\tmp\\mmaplab-1000\\trace.jsonl/gi;
    }
    # The unique name; the trace file's directory.
    s/\Q$bare\E/MyFileMappingObject-student/g;
    s/\Q$o{trace}\E/\/tmp\/mmaplab-1000\/trace.jsonl/g if $o{trace};

    # The disk file system a file lives on (ext4, xfs, overlay, ...): the
    # lessons' files behave the same on each.
    s/^(\s+backing )(?!tmpfs\b)[a-z0-9_.]+\s*$/${1}ext4/;
    # A process's fault count so far: what it took to start differs from
    # run to run; the differences are the point.
    s/(minor faults so far )(\d+)/$1 . canon_faults($2)/ge;
    # posix_fallocate of more than the whole /dev/shm (09-reserve-grow).
    s{(posix_fallocate\(\d+, 0, )(\d+)( /\* more than /dev/shm's )(\d+)( \*/)}
     {$1 . (8589934592 + ($2 - $4)) . $3 . 8589934592 . $5}e;
    # Trace timestamps.
    s/("ts_ns":\s*)\d+/${1}1700000000000000000/g;
    # ls -l: owner, group and time.
    if (/^(?:\s*\d+ )?[-dlcbps][-rwxsStT]{9}[.+]?\s+\d+\s/) {
        s/^((?:\s*\d+ )?[-dlcbps][-rwxsStT]{9}[.+]?\s+\d+\s+)\Q$user\E(\s+)\Q$group\E(?=\s)/${1}student${2}student/;
        s/\b$MONTH [ \d]\d (?:\d\d:\d\d| \d{4})\b/Jan  1 12:00/;
    }
    # Owner names where the programs and the viewer print them.
    s/\b\Q$user\E(?= \(uid )/student/g;
    s/((?:owned by|owner|user)[ :=]+"?)\Q$user\E\b/${1}student/g;
    s/(\buid[ =:]+)\Q$uid\E\b/${1}1000/g;
    s/("uid":\s*)\Q$uid\E\b/${1}1000/g;
    s/(\bgid[ =:]+)\Q$gid\E\b/${1}1000/g;
    s/("gid":\s*)\Q$gid\E\b/${1}1000/g;
    s/("user":\s*")\Q$user\E"/${1}student"/g;
    s/("group":\s*")\Q$group\E"/${1}student"/g;

    # Times: mmapview's header and its trace rows.
    s/\b\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\b/2025-01-01 12:00:00/g;
    # mmapview's trace rows: "HH:MM:SS.mmm %6d prog ...".
    s/^(\s+)\d\d:\d\d:\d\d\.\d{3} +(\d+) /$1 . '12:00:00.000 ' . sprintf('%6s', canon_pid($2)) . ' '/e
        if $section eq 'trace';
    # How many processes there are depends on the machine.
    s/\b\d+ of \d+ processes could not be inspected/1 of 100 processes could not be inspected/g;
    s/\(\d+ could not be inspected\)/(1 could not be inspected)/g;

    # fork's result, in the narration and the trace: "fork() = 1234".
    s/(\bfork(?: \+ execv)?\(.*?\) = )(\d+)/$1 . canon_pid($2)/e;
    # Process ids, where a pid is what the text says it is.
    s/(\bpids?[ =:]+|"pid":\s*|\/proc\/|\bPID\s+|\bprocess |\bchild |\bparent |\bworker |\bpagemap of )(\d+)/$1 . canon_pid($2)/gie;
    s/(\bof )(\d+)(?= at 0x)/$1 . canon_pid($2)/ge;
    s/(\bkill\()(\d+)(?=, SIG)/$1 . canon_pid($2)/ge;
    # mmapview's rows of frames and processes: "  %-7d ...".
    # (A count, "2 map it", has one space after it; a pid fills 8 columns.)
    s/^  (\d+)( +)/'  ' . sprintf('%-7s ', canon_pid($1))/e
        if pid_rows() && /^  (\d+)( +)/ && length("$1$2") >= 8;

    # Addresses: ranges as /proc/PID/maps writes them, then 0x addresses.
    s/\b([0-9a-f]{12})-([0-9a-f]{8,16})\b/canon_range($1, $2)/ge;
    s{^(\S*maps:)?([0-9a-f]+-[0-9a-f]+ [-r][-w][-x][sp] [0-9a-f]{8,} )([0-9a-f]+):([0-9a-f]+) (\d+)\s+(\S.*)$}
     {maps_line($1 // '', $2, $3, $4, $5, $6)}e;
    s/\b0x([1-9a-f][0-9a-f]{11})\b/'0x' . canon_addr($1)/ge;

    # Inode and device numbers: mmapview's "inode DEV:MINOR:INO" first.
    s/(\binode\s+)(\d+):(\d+):(\d+)/$1 . '0:' . canon_dev($2, $3) . ':' . canon_ino($4)/ge;
    s/(\b(?:ino|inode)[ =:]+|"ino":\s*)(\d+)(?![:\d])/$1 . canon_ino($2)/ge;
    # st_dev:st_ino as numbers (06-inherit): "FD:DEV:INO" for its child,
    # "the object (DEV:INO)", "it is DEV:INO, not the object DEV:INO".
    s/(--child", ")(\d+):(\d+):(\d+)"/$1 . "$2:" . canon_devnum($3) . ':' . canon_ino($4) . '"'/ge;
    s/(\bobject \(?|\bit is )(\d+):(\d+)\b/$1 . canon_devnum($2) . ':' . canon_ino($3)/ge;
    s/(\bdev(?:ice)?[ =:]+|"dev":\s*"?)(\d+):(\d+)/$1 . '0:' . canon_dev($2, $3)/ge;

    # Physical frames (pfn): frame 0 means hidden and stays 0.
    s/(\bframes,? )(0x[0-9a-f]+) and (0x[0-9a-f]+)/$1 . canon_pfn($2) . ' and ' . canon_pfn($3)/ge;
    s/(\b(?:pfn|frame)[ =:,]+|"frame":\s*)(0x[0-9a-f]+|\d+)/$1 . canon_pfn($2)/gie;
    # mmapview's frame rows: "pid comm vaddr pfn ...".
    s/^(  \S+ +\S+ +0x[0-9a-f]+ +)(0x[0-9a-f]+)\b/$1 . canon_pfn($2)/e if $section eq 'frames';

    return $_;
}

# ---- hex dumps --------------------------------------------------------------
#
# A dump row ("  00000010  73 74 20 ... |st process..|", from the programs'
# ml_dump and the viewer's page panel) shows bytes, and a pid or the unique
# name written into the object shows up in both columns.  So a dump is
# normalised as bytes: read back from the hex columns (a "*" line repeats
# the row before it up to the next row's offset), the values replaced, the
# length kept (a longer or shorter value eats or adds NULs after it), and
# written out again the way ml_hexdump and the viewer write it.

my $DUMP_ROW = qr/^(\s+)([0-9a-f]{8})  ((?:[0-9a-f]{2} {1,2}){1,16}) *\|(.*)\|$/;

sub dump_row {
    my ($indent, $off, $bytes) = @_;
    my $l = sprintf('%08x ', $off);
    for my $i (0 .. 15) {
        $l .= $i < length($bytes) ? sprintf(' %02x', ord(substr($bytes, $i, 1))) : '   ';
        $l .= ' ' if $i == 7;
    }
    (my $text = $bytes) =~ s/[^\x20-\x7e]/./g;
    return "$indent$l  |$text|";
}

sub normalise_bytes {
    my ($b) = @_;
    (my $bare = $o{name}) =~ s{^/}{};
    my $out = '';
    # Each value, in the order it appears: the name, then pids.
    while ($b =~ /\G(.*?)(\Q$bare\E|(?<![0-9])([0-9]+)(?![0-9]))/gcs) {
        my ($pre, $what, $num) = ($1, $2, $3);
        my $new = defined $num ? canon_pid($num) : 'MyFileMappingObject-student';
        $out .= $pre . $new;
        my $d = length($new) - length($what);
        if ($d > 0) {
            # Eat NULs after it (the rest of the object is zeros).
            $b =~ /\G(\0{0,$d})/gc;
        } elsif ($d < 0) {
            $out .= "\0" x -$d;
        }
    }
    $b =~ /\G(.*)\z/gcs;
    $out .= $1 // '';
    return $out;
}

# The lines of one dump, from $lines[$i]: rewritten, and the index after it.
sub normalise_dump {
    my ($lines, $i) = @_;
    my ($indent, $start) = ($lines->[$i] =~ $DUMP_ROW)[0, 1];
    $start = hex($start);
    my ($bytes, $squeezed, $prev, $pending, $j) = ('', 0, '', 0);
    for ($j = $i; $j < @$lines; $j++) {
        my $l = $lines->[$j];
        if ($l =~ /^\Q$indent\E\*$/) {
            ($squeezed, $pending) = (1, 1);
            next;
        }
        my ($ind, $off, $hex) = $l =~ $DUMP_ROW or last;
        last if $ind ne $indent;
        $off = hex($off);
        if ($pending) {
            $bytes .= $prev while $start + length($bytes) < $off;
            $pending = 0;
        }
        last if $start + length($bytes) != $off;
        my $row = join('', map { chr(hex($_)) } split ' ', $hex);
        $bytes .= $row;
        $prev = $row;
    }
    my $new = normalise_bytes($bytes);
    return ([ @$lines[$i .. $j - 1] ], $j) if $new eq $bytes;
    my @out;
    my $n = length($new);
    my $squeezing = 0;
    for (my $o = 0; $o < $n; $o += 16) {
        my $row = substr($new, $o, 16);
        if ($squeezed && $o >= 16 && length($row) == 16 && $o + 16 < $n &&
            $row eq substr($new, $o - 16, 16)) {
            push @out, "$indent*" unless $squeezing;
            $squeezing = 1;
            next;
        }
        $squeezing = 0;
        push @out, dump_row($indent, $start + $o, $row);
    }
    return (\@out, $j);
}

sub normalise {
    my $dir = shift // usage();
    for (@_) {
        /^(\w+)=(.*)$/s or usage();
        $o{$1} = $2;
    }
    for my $k (qw(name work user group uid gid trace)) {
        die "normalise: $k= is missing\n" unless defined $o{$k};
    }
    ($nextpid, $nextpage, $nextino, $nextdev, $nextpfn) = (4001, 1, 1001, 26, 0x100000);

    # The pids the scene saw: every event's, and the ones it started.
    for my $f ($o{trace}, "$dir/.pids") {
        next unless -e $f;
        for (split /\n/, slurp($f)) {
            $known_pid{$1} = 1 while /"pid":\s*(\d+)/g;
            $known_pid{$1} = 1 if /^(\d+)$/;
        }
    }
    # A pid the programs print that no trace recorded ("pid 1234").
    my @parts = grep { $_ ne '' } split /\n/, slurp("$dir/.parts");
    for my $p (@parts) {
        for (split /\n/, slurp("$dir/$p.txt")) {
            $known_pid{$1} = 1 while /\bpid[ =:]+(\d+)/gi;
            $known_pid{$1} = 1 if /^\s+fork(?: \+ execv)?\(.*?\) = (\d+)/;
            $known_pid{$1} = 1 while /\bkill\((\d+), SIG/g;
        }
    }
    for my $p (@parts) {
        $section = '';
        for (split /\n/, slurp("$dir/$p.txt")) {
            track_section($_);
            $known_pid{$1} = 1 if pid_rows() && /^  (\d+)( +)/ && length("$1$2") >= 8;
        }
    }
    my %rel;
    if (-e "$dir/.reladdr") {
        $rel{$_} = 1 for grep { $_ ne '' } split /\n/, slurp("$dir/.reladdr");
    }
    for my $p (@parts) {
        $section = '';
        $relative = $rel{$p};
        @seen_pages = ();
        my $text = slurp("$dir/$p.txt");
        $text =~ s/\r//g;
        my @lines = split(/\n/, $text, -1);
        my @done;
        for (my $i = 0; $i < @lines; ) {
            if ($lines[$i] =~ $DUMP_ROW) {
                my ($rows, $next) = normalise_dump(\@lines, $i);
                push @done, @$rows;
                $i = $next;
                next;
            }
            (my $l = normalise_line($lines[$i])) =~ s/\s+$//;
            push @done, $l;
            $i++;
        }
        my $out = join("\n", @done);
        $out =~ s/\n*\z/\n/;
        spew("$dir/$p.txt", $out);
    }
}

# ---- splice ---------------------------------------------------------------

sub excerpt {
    my ($root, $src, $word, $lesson) = @_;
    my $path = "$root/$src";
    die "$lesson: excerpt $src $word: no such file\n" unless -f $path;
    my @lines = split /\n/, slurp($path);
    my ($in, $found, @got) = (0, 0);
    for my $l (@lines) {
        if (!$in) {
            if ($l =~ m{^\s*/\* \[lesson:\Q$word\E\] \*/\s*$}) {
                die "$lesson: $src has [lesson:$word] twice\n" if $found;
                ($in, $found) = (1, 1);
            }
            next;
        }
        if ($l =~ m{^\s*/\* \[/lesson\] \*/\s*$}) {
            $in--;
            last if $in == 0;
            next;
        }
        if ($l =~ m{^\s*/\* \[lesson:[^\]]+\] \*/\s*$}) {
            $in++;              # a region inside this one: keep its lines
            next;
        }
        push @got, $l;
    }
    die "$lesson: excerpt $src $word: no /* [lesson:$word] */ marker there\n" unless $found;
    die "$lesson: excerpt $src $word: no /* [/lesson] */ after it\n" if $in;
    die "$lesson: excerpt $src $word: nothing between the markers\n" unless grep { /\S/ } @got;
    # Take away the indentation the lines share.
    my $indent;
    for (grep { /\S/ } @got) {
        (my $lead = $_) =~ s/\S.*//;
        $lead =~ s/\t/        /g;
        $indent = length($lead) if !defined($indent) || length($lead) < $indent;
    }
    for (@got) {
        s/\t/        /g while /^\s*\t/;
        s/^ {0,$indent}//;
        s/\s+$//;
    }
    return fence('c', join("\n", @got) . "\n", "From [`$src`](../$src):\n\n");
}

sub fence {
    my ($info, $body, $before) = @_;
    my $f = '```';
    $f .= '`' while $body =~ /^\s*\Q$f\E/m;
    return ($before // '') . "$f$info\n$body$f\n";
}

sub splice_lesson {
    my ($lesson, $root, $parts, $have) = @_;
    usage() unless defined $have;
    my %have = map { $_ => 1 } split /,/, $have;
    my %needs;
    my @in = split /^/m, slurp($lesson);
    my @out;
    for (my $i = 0; $i < @in; $i++) {
        my $l = $in[$i];
        # A region may be indented (inside a list item): its body is too.
        my ($indent, $kind, $a, $b) = $l =~ /^(\s*)<!-- (excerpt|output) (\S+) (\S+) -->\s*$/;
        if (!$kind) {
            die "$lesson:" . ($i + 1) . ": a closing marker without its opening one\n"
                if $l =~ /^\s*<!-- \/(excerpt|output) -->/;
            die "$lesson:" . ($i + 1) . ": a marker this generator does not know: $l"
                if $l =~ /^\s*<!-- (excerpt|output)\b/;
            push @out, $l;
            next;
        }
        my $j = $i + 1;
        $j++ while $j < @in && $in[$j] !~ /^\s*<!-- \/\Q$kind\E -->\s*$/ && $in[$j] !~ /^\s*<!-- (excerpt|output) /;
        die "$lesson:" . ($i + 1) . ": <!-- $kind $a $b --> has no <!-- /$kind --> after it\n"
            if $j >= @in || $in[$j] !~ /^\s*<!-- \/\Q$kind\E -->/;
        my $body;
        if ($kind eq 'excerpt') {
            $body = excerpt($root, $a, $b, $lesson);
        } else {
            my $dir = "$parts/$a";
            die "$lesson: output $a $b: no scene lessons/scenes/$a.sh ran\n" unless -d $dir;
            if (!exists $needs{$a}) {
                $needs{$a} = {};
                if (-e "$dir/.needs") {
                    for (split /\n/, slurp("$dir/.needs")) {
                        my ($p, $cap) = split ' ';
                        push @{$needs{$a}{$p}}, $cap if defined $cap;
                    }
                }
            }
            my ($cap) = grep { !$have{$_} } @{$needs{$a}{$b} // []};
            if (defined $cap) {
                # Written by a run that had the capability: keep it.
                print STDERR "$lesson: output $a $b needs $cap: kept as it was\n";
                push @out, @in[$i .. $j];
                $i = $j;
                next;
            }
            die "$lesson: output $a $b: scene $a saved no part $b\n" unless -f "$dir/$b.txt";
            $body = fence('text', slurp("$dir/$b.txt"));
        }
        $body =~ s/^(?=.)/$indent/mg if $indent ne '';
        push @out, $l, $body, $in[$j];
        $i = $j;
    }
    print @out;
}

# ---- blocks ---------------------------------------------------------------
#
# Fenced blocks whose info string is "sh run", "sh t1" ... "sh t3",
# "sh win32", "sh live", "sh numpy" or "sh python" are meant to be run as written.

sub blocks {
    my ($lesson, $dir) = @_;
    usage() unless defined $dir;
    my @in = split /\n/, slurp($lesson), -1;
    my ($n, $index) = (0, '');
    for (my $i = 0; $i < @in; $i++) {
        next unless $in[$i] =~ /^(\s*)(`{3,})\s*sh\s+(run|t[1-3]|win32|live|numpy|python)\s*$/;
        my ($indent, $f, $kind) = ($1, $2, $3);
        my $start = $i + 1;
        my @body;
        for ($i++; $i < @in && $in[$i] !~ /^\s*\Q$f\E\s*$/; $i++) {
            (my $l = $in[$i]) =~ s/^\Q$indent\E//;
            push @body, $l;
        }
        die "$lesson:$start: a runnable block that is never closed\n" if $i >= @in;
        $n++;
        spew(sprintf('%s/%02d.sh', $dir, $n), join("\n", @body) . "\n");
        $index .= sprintf("%02d %s %d\n", $n, $kind, $start);
    }
    spew("$dir/index", $index);
}

# ---- main ------------------------------------------------------------------

my $cmd = shift // usage();
if    ($cmd eq 'normalise') { normalise(@ARGV) }
elsif ($cmd eq 'splice')    { splice_lesson(@ARGV) }
elsif ($cmd eq 'blocks')    { blocks(@ARGV) }
else                        { usage() }
exit 0;
