#!/usr/bin/perl
# stracecmp.pl — does the narration say what the kernel saw?
#
#   perl tests/tools/stracecmp.pl TRACE STRACE
#
# TRACE is a program's trace (one JSON event a line); STRACE is what
# `strace -f -qq -s 4096 -o STRACE` recorded of the same run.  Every `call`
# event of the trace is looked up among the system calls of its process, in
# order, and its call, its arguments and its result are held against the
# kernel's record.  A call that is a library function and makes no system
# call of its own (memcpy, printf, pthread_mutex_*) is counted, not compared.
#
# Prints one line per call ("ok", or "MISMATCH" and why), then
#   N compared, N library calls, N mismatched
# and exits 1 when anything did not match.
use strict;
use warnings;
no warnings 'portable';     # 64-bit addresses in hex
use JSON::PP;

@ARGV == 2 or die "usage: stracecmp.pl TRACE STRACE\n";
my ($trace_path, $strace_path) = @ARGV;

# ---- the kernel's record ------------------------------------------------

my %sys;          # pid -> [ { name, args => [..], ret, errno, used } ]
my %pending;      # pid -> the first half of an interrupted line
open my $st, '<', $strace_path or die "stracecmp: $strace_path: $!\n";
while (my $l = <$st>) {
    chomp $l;
    my ($pid, $rest) = $l =~ /^(\d+)\s+(.*)$/ or next;
    if ($rest =~ /^(.*) <unfinished \.\.\.>$/) {
        $pending{$pid} = $1;
        next;
    }
    if ($rest =~ /^<\.\.\. \w+ resumed>(.*)$/) {
        $rest = ($pending{$pid} // '') . $1;
        delete $pending{$pid};
    }
    my ($name, $args, $ret) = $rest =~ /^(\w+)\((.*)\)\s+=\s+(.*)$/ or next;
    my ($rv, $errno) = $ret =~ /^(-?\w+)(?:\s+(E[A-Z0-9]+))?/;
    push @{$sys{$pid}}, { name => $name, args => [split_args($args)],
                          ret => $rv // '', errno => $errno // '', line => $rest };
}
close $st;

# ---- arguments ----------------------------------------------------------

# Split at the commas that are not inside quotes, brackets or braces.
sub split_args {
    my ($s) = @_;
    my (@out, $cur, $depth, $q);
    ($cur, $depth, $q) = ('', 0, '');
    for (my $i = 0; $i < length $s; $i++) {
        my $c = substr $s, $i, 1;
        if ($q) {
            $cur .= $c;
            if ($c eq '\\') { $cur .= substr $s, ++$i, 1; next }
            $q = '' if $c eq $q;
            next;
        }
        if ($c eq '"' || $c eq "'") { $q = $c; $cur .= $c; next }
        $depth++ if $c =~ /[\(\[\{]/;
        $depth-- if $c =~ /[\)\]\}]/;
        if ($c eq ',' && $depth == 0) { push @out, trim($cur); $cur = ''; next }
        $cur .= $c;
    }
    push @out, trim($cur) if $cur =~ /\S/;
    return @out;
}
sub trim { my ($s) = @_; $s =~ s/^\s+|\s+$//g; return $s }

# The narration's C text: comments out, strings unquoted.
sub c_args {
    my ($s) = @_;
    $s =~ s{/\*.*?\*/}{}g;
    return split_args($s);
}

sub num {                   # a number in C or strace's spelling, or undef
    my ($s) = @_;
    return 0 if $s eq 'NULL';
    return hex $1 if $s =~ /^0x([0-9a-f]+)$/i;
    return oct $s if $s =~ /^0[0-7]+$/;
    return $s + 0 if $s =~ /^-?\d+$/;
    return undef;
}
sub same_num { my ($a, $b) = @_; my ($x, $y) = (num($a), num($b));
               return defined $x && defined $y && $x == $y }
sub flags { my ($s, %drop) = @_; my %f = map { trim($_) => 1 } split /\|/, $s;
            delete @f{keys %drop}; return join '|', sort keys %f }
sub same_flags { my ($a, $b, @drop) = @_; my %d = map { $_ => 1 } @drop;
                 return flags($a, %d) eq flags($b, %d) }
sub str {                   # a C string literal's text, strace's too
    my ($s) = @_;
    return undef unless $s =~ /^"(.*)"(\.\.\.)?$/s;
    my $t = $1;
    $t =~ s/\\x([0-9a-f]{2})/chr hex $1/gie;
    $t =~ s/\\0/\0/g; $t =~ s/\\n/\n/g; $t =~ s/\\t/\t/g; $t =~ s/\\"/"/g; $t =~ s/\\\\/\\/g;
    return $t;
}

# ---- how each taught call shows in the kernel's record --------------------
#
# For each: the system calls it may be, and a check of their arguments that
# returns an error text, or '' when they agree.

my %library = map { $_ => 1 } qw(memcpy printf pthread_mutex_init pthread_mutex_lock
    pthread_mutex_unlock pthread_mutex_consistent pthread_mutex_timedlock
    pthread_mutexattr_setpshared pthread_mutexattr_setrobust);

sub need { my ($ok, $what) = @_; return $ok ? '' : $what }

my %how = (
    shm_open => [['openat'], sub {
        my ($n, $k) = @_;
        my $name = str($n->[0]);
        return 'name' unless defined $name && str($k->[1]) eq "/dev/shm$name";
        return 'flags' unless same_flags($n->[1], $k->[2], qw(O_NOFOLLOW O_CLOEXEC O_LARGEFILE));
        return need($n->[1] !~ /O_CREAT/ || same_num($n->[2], $k->[3]), 'mode');
    }],
    shm_unlink => [['unlink', 'unlinkat'], sub {
        my ($n, $k) = @_;
        my $path = str($k->[-1] =~ /^\d+$|^AT_/ ? $k->[1] : $k->[0]) // '';
        $path = str($k->[1]) // '' if $k->[0] eq 'AT_FDCWD';
        return need("/dev/shm" . (str($n->[0]) // '?') eq $path, 'name');
    }],
    open => [['openat', 'open'], sub {
        my ($n, $k) = @_;
        my @k = $k->[0] eq 'AT_FDCWD' ? @$k[1 .. $#$k] : @$k;
        return 'path' unless (str($n->[0]) // '?') eq (str($k[0]) // '!');
        return 'flags' unless same_flags($n->[1], $k[1], 'O_LARGEFILE');
        return need(@$n < 3 || same_num($n->[2], $k[2]), 'mode');
    }],
    unlink => [['unlink', 'unlinkat'], sub {
        my ($n, $k) = @_;
        my $path = $k->[0] eq 'AT_FDCWD' ? $k->[1] : $k->[0];
        return need((str($n->[0]) // '?') eq (str($path) // '!'), 'path');
    }],
    close => [['close'], sub { need(same_num($_[0][0], $_[1][0]), 'descriptor') }],
    ftruncate => [['ftruncate'], sub {
        my ($n, $k) = @_;
        return need(same_num($n->[0], $k->[0]) && same_num($n->[1], $k->[1]), 'descriptor or length');
    }],
    fstat => [['fstat', 'newfstatat', 'statx'], sub {
        my ($n, $k) = @_;
        return need(same_num($n->[0], $k->[0]), 'descriptor');
    }],
    mmap => [['mmap'], sub {
        my ($n, $k) = @_;
        return 'address' unless same_num($n->[0], $k->[0]);
        return 'length' unless same_num($n->[1], $k->[1]);
        return 'protection' unless same_flags($n->[2], $k->[2]);
        return 'flags' unless same_flags($n->[3], $k->[3]);
        return 'descriptor' unless same_num($n->[4], $k->[4]);
        return need(same_num($n->[5], $k->[5]), 'offset');
    }],
    munmap => [['munmap'], sub {
        my ($n, $k) = @_;
        return need(@$n == 2 && same_num($n->[0], $k->[0]) && same_num($n->[1], $k->[1]),
                    'address or length');
    }],
    msync => [['msync'], sub {
        my ($n, $k) = @_;
        return need(same_num($n->[0], $k->[0]) && same_num($n->[1], $k->[1]) &&
                    same_flags($n->[2], $k->[2]), 'address, length or flags');
    }],
    mount => [['mount'], sub {
        my ($n, $k) = @_;
        for my $i (0, 1, 2, 4) {
            my ($a, $b) = ($n->[$i], $k->[$i]);
            next if $a eq 'NULL' && $b eq 'NULL';
            return "argument " . ($i + 1) unless defined str($a) && defined str($b) && str($a) eq str($b);
        }
        return need(same_flags($n->[3] eq '0' ? '' : $n->[3], $k->[3] eq '0' ? '' : $k->[3]), 'flags');
    }],
    unshare => [['unshare'], sub { need(same_flags($_[0][0], $_[1][0]), 'flags') }],
    fcntl => [['fcntl', 'fcntl64'], sub {
        my ($n, $k) = @_;
        return 'descriptor or command' unless same_num($n->[0], $k->[0]) && $n->[1] eq $k->[1];
        return need(@$n < 3 || same_num($n->[2], $k->[2]) || $n->[2] eq $k->[2], 'argument');
    }],
    kill => [['kill'], sub {
        my ($n, $k) = @_;
        return need(same_num($n->[0], $k->[0]) && $n->[1] eq $k->[1], 'process or signal');
    }],
    posix_fallocate => [['fallocate'], sub {
        my ($n, $k) = @_;
        return need(same_num($n->[0], $k->[0]) && same_num($k->[1], 0) &&
                    same_num($n->[1], $k->[2]) && same_num($n->[2], $k->[3]),
                    'descriptor, offset or length');
    }],
    pread => [['pread64'], sub {
        my ($n, $k) = @_;
        return need(same_num($n->[0], $k->[0]) && same_num($n->[2], $k->[2]) &&
                    same_num($n->[3], $k->[3]), 'descriptor, count or offset');
    }],
    pwrite => [['pwrite64'], sub {
        my ($n, $k) = @_;
        return 'bytes' unless defined str($n->[1]) && (str($k->[1]) // '') eq str($n->[1]) . "\0" x (num($n->[2]) - length str($n->[1]))
                              || (str($k->[1]) // '') eq str($n->[1]);
        return need(same_num($n->[0], $k->[0]) && same_num($n->[2], $k->[2]) &&
                    same_num($n->[3], $k->[3]), 'descriptor, count or offset');
    }],
    fork => [['clone', 'clone3', 'fork', 'vfork'], sub { '' }],
);

# The result: the same number, address or error.
sub same_result {
    my ($e, $s) = @_;
    my ($ret, $errno, $call) = ($e->{ret}, $e->{errno} // '0', $e->{call});
    if ($errno ne '0' && $errno ne '') {
        return $s->{errno} eq $errno || "the kernel's error is " . ($s->{errno} || "none ($s->{ret})");
    }
    return "the kernel returned $s->{ret} $s->{errno}" if $s->{errno};
    return 1 if $call eq 'fstat' || $call eq 'pread' && same_num($ret, $s->{ret});
    return same_num($ret, $s->{ret}) || "the kernel returned $s->{ret}";
}

# ---- the trace, call by call ----------------------------------------------

my ($compared, $library, $bad) = (0, 0, 0);
my %next;                   # pid -> index of the first system call not yet used
open my $tr, '<', $trace_path or die "stracecmp: $trace_path: $!\n";
my $json = JSON::PP->new;
while (my $l = <$tr>) {
    my $e = eval { $json->decode($l) } or next;
    next unless ($e->{event} // '') eq 'call';
    my ($pid, $call, $args) = ($e->{pid}, $e->{call}, $e->{args} // '');
    my $what = "$e->{prog} [$pid] $call($args) = $e->{ret}";
    if ($library{$call}) {
        $library++;
        next;
    }
    my $how = $how{$call};
    if (!$how) {
        print "MISMATCH $what: not one call this check knows (one call per narration)\n";
        $bad++;
        next;
    }
    my @n = c_args($args);
    my ($names, $check) = @$how;
    my $list = $sys{$pid} // [];
    my ($found, $why, $argmatch);
    for (my $i = $next{$pid} // 0; $i < @$list; $i++) {
        my $s = $list->[$i];
        next unless grep { $_ eq $s->{name} } @$names;
        my $argerr = $check->(\@n, $s->{args});
        if ($argerr) { $why //= "$argerr differs from the kernel's $s->{line}"; next }
        $argmatch = 1;
        my $res = same_result($e, $s);
        if ($res ne '1') { $why //= "$res ($s->{line})"; next }
        $found = $i;
        last;
    }
    if (!defined $found && !$argmatch && ($e->{errno} // '0') ne '0') {
        # Failed with no system call at all: the C library refused it
        # (glibc's mmap checks the offset's alignment itself).
        $library++;
        print "ok $what (refused by the C library; the kernel saw no call)\n";
        next;
    }
    if (defined $found) {
        $next{$pid} = $found + 1;
        $compared++;
        print "ok $what\n";
    } else {
        $bad++;
        print "MISMATCH $what: " . ($why // "no such system call by process $pid") . "\n";
    }
}
close $tr;
print "$compared compared, $library library calls, $bad mismatched\n";
exit($bad ? 1 : 0);
