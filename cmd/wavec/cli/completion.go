package cli

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/pflag"

	"github.com/wavec/wavec/runtime/plan"
)

// shells are the shells `wavec completion` writes scripts for.
var shells = []string{"bash", "zsh", "fish"}

func completionCommand() *command {
	return &command{
		name:    "completion",
		args:    "bash|zsh|fish",
		summary: "Print a shell completion script for commands, flags, their values and .wave paths.",
		flags: func(fs *pflag.FlagSet) func(context.Context, *Env, []string) int {
			return func(ctx context.Context, env *Env, args []string) int {
				if len(args) != 1 {
					return usageError(env, "completion", "name the shell: %s", strings.Join(shells, ", "))
				}
				spec := completionSpec()
				switch args[0] {
				case "bash":
					writeBash(env.Stdout, spec)
				case "zsh":
					writeZsh(env.Stdout, spec)
				case "fish":
					writeFish(env.Stdout, spec)
				default:
					return usageError(env, "completion", "unknown shell %q: choose %s", args[0], strings.Join(shells, ", "))
				}
				return ExitOK
			}
		},
	}
}

// valueKind says what a flag's value or a command's arguments complete to.
type valueKind int

const (
	valueFree  valueKind = iota // anything: no completion
	valueWords                  // one of a fixed list
	valueFiles                  // any file or directory
	valueDirs                   // directories
	valuePaths                  // .wave files and directories
)

// flagSpec is one flag as completion needs it.
type flagSpec struct {
	long, short string
	usage       string
	takesValue  bool
	kind        valueKind
	words       []string
}

// commandSpec is one command as completion needs it.
type commandSpec struct {
	name, summary string
	flags         []flagSpec
	args          valueKind
	words         []string
}

// flagWords returns the values of a flag of a command that takes one of a
// fixed set, or nil.
func flagWords(command, flag string) []string {
	switch {
	case flag == "diagnostics":
		return []string{"text", "json"}
	case command == "plan" && flag == "output":
		return plan.Formats
	case command == "build" && flag == "output":
		return []string{"yaml", "json"}
	case (command == "run" || command == "diff" || command == "status") && flag == "output":
		return []string{"json"}
	case flag == "color":
		return colorModes
	case flag == "dry-run":
		return []string{"none", "server"}
	}
	return nil
}

// completionSpec describes every command from the command table, so the
// scripts follow the commands and flags as they change.
func completionSpec() []commandSpec {
	var out []commandSpec
	for _, c := range commands() {
		fs := newFlagSet(c)
		c.flags(fs)
		registerColor(fs, &Env{})
		cs := commandSpec{name: c.name, summary: c.summary}
		switch {
		case strings.Contains(c.args, "PATH"):
			cs.args = valuePaths
		case c.name == "completion":
			cs.args, cs.words = valueWords, shells
		}
		fs.VisitAll(func(f *pflag.Flag) {
			if f.Hidden {
				return
			}
			varname, usage := pflag.UnquoteUsage(f)
			fsp := flagSpec{long: f.Name, short: f.Shorthand, usage: firstSentence(usage), takesValue: f.NoOptDefVal == ""}
			switch {
			case !fsp.takesValue:
			case flagWords(c.name, f.Name) != nil:
				fsp.kind, fsp.words = valueWords, flagWords(c.name, f.Name)
			case strings.Contains(varname, "DIR"):
				fsp.kind = valueDirs
			case strings.Contains(varname, "FILE"), f.Name == "kubeconfig":
				fsp.kind = valueFiles
			}
			cs.flags = append(cs.flags, fsp)
		})
		out = append(out, cs)
	}
	out = append(out, commandSpec{name: "help", summary: "Show the commands, or one command's flags.", args: valueWords, words: commandNamesOf(out)})
	return out
}

func commandNamesOf(cs []commandSpec) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.name)
	}
	sort.Strings(out)
	return out
}

func firstSentence(s string) string {
	if i := strings.IndexAny(s, "(;"); i > 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

func writeBash(w io.Writer, spec []commandSpec) {
	fmt.Fprintf(w, "# bash completion for wavec. Load it with: source <(wavec completion bash)\n")
	fmt.Fprintf(w, "_wavec_paths() {\n")
	fmt.Fprintf(w, "\tcompopt -o filenames 2>/dev/null\n")
	fmt.Fprintf(w, "\tCOMPREPLY+=($(compgen -d -- \"$cur\") $(compgen -f -X '!*.wave' -- \"$cur\"))\n}\n")
	fmt.Fprintf(w, "_wavec() {\n")
	fmt.Fprintf(w, "\tlocal cur=\"${COMP_WORDS[COMP_CWORD]}\" prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n")
	fmt.Fprintf(w, "\tif [[ $prev == = && $COMP_CWORD -ge 2 ]]; then prev=\"${COMP_WORDS[COMP_CWORD-2]}\"; fi\n")
	fmt.Fprintf(w, "\tif [[ $cur == = ]]; then cur=\"\"; fi\n")
	fmt.Fprintf(w, "\tCOMPREPLY=()\n")
	fmt.Fprintf(w, "\tif [[ $COMP_CWORD -eq 1 ]]; then\n\t\tCOMPREPLY=($(compgen -W %q -- \"$cur\"))\n\t\treturn\n\tfi\n", strings.Join(commandNamesOf(spec), " "))
	fmt.Fprintf(w, "\tcase \"${COMP_WORDS[1]}\" in\n")
	for _, c := range spec {
		fmt.Fprintf(w, "\t%s)\n", c.name)
		fmt.Fprintf(w, "\t\tcase \"$prev\" in\n")
		var all []string
		for _, f := range c.flags {
			names := []string{"--" + f.long}
			if f.short != "" {
				names = append(names, "-"+f.short)
			}
			all = append(all, names...)
			if !f.takesValue {
				continue
			}
			fmt.Fprintf(w, "\t\t%s)\n", strings.Join(names, "|"))
			switch f.kind {
			case valueWords:
				fmt.Fprintf(w, "\t\t\tCOMPREPLY=($(compgen -W %q -- \"$cur\"))\n", strings.Join(f.words, " "))
			case valueFiles:
				fmt.Fprintf(w, "\t\t\tcompopt -o filenames 2>/dev/null\n\t\t\tCOMPREPLY=($(compgen -f -- \"$cur\"))\n")
			case valueDirs:
				fmt.Fprintf(w, "\t\t\tcompopt -o filenames 2>/dev/null\n\t\t\tCOMPREPLY=($(compgen -d -- \"$cur\"))\n")
			}
			fmt.Fprintf(w, "\t\t\treturn\n\t\t\t;;\n")
		}
		fmt.Fprintf(w, "\t\tesac\n")
		if len(all) > 0 {
			fmt.Fprintf(w, "\t\tif [[ $cur == -* ]]; then\n\t\t\tCOMPREPLY=($(compgen -W %q -- \"$cur\"))\n\t\t\treturn\n\t\tfi\n", strings.Join(all, " "))
		}
		switch c.args {
		case valuePaths:
			fmt.Fprintf(w, "\t\t_wavec_paths\n")
		case valueWords:
			fmt.Fprintf(w, "\t\tCOMPREPLY=($(compgen -W %q -- \"$cur\"))\n", strings.Join(c.words, " "))
		}
		fmt.Fprintf(w, "\t\t;;\n")
	}
	fmt.Fprintf(w, "\tesac\n}\n")
	fmt.Fprintf(w, "complete -F _wavec wavec\n")
}

// zshQuote quotes s for a zsh single-quoted word, with the characters
// _arguments treats specially escaped.
func zshQuote(s string) string {
	s = strings.NewReplacer(`'`, `'\''`, "[", `\[`, "]", `\]`, ":", `\:`).Replace(s)
	return "'" + s + "'"
}

func writeZsh(w io.Writer, spec []commandSpec) {
	fmt.Fprintf(w, "#compdef wavec\n# zsh completion for wavec. Load it with: source <(wavec completion zsh)\n")
	fmt.Fprintf(w, "# or save it as _wavec in a directory of $fpath.\n")
	fmt.Fprintf(w, "_wavec() {\n\tlocal -a commands\n\tcommands=(\n")
	for _, c := range spec {
		fmt.Fprintf(w, "\t\t%s\n", zshQuote(c.name+":"+c.summary))
	}
	fmt.Fprintf(w, "\t)\n")
	fmt.Fprintf(w, "\tif (( CURRENT == 2 )); then\n\t\t_describe command commands\n\t\treturn\n\tfi\n")
	fmt.Fprintf(w, "\tlocal cmd=$words[2]\n\tshift words\n\t(( CURRENT-- ))\n\tcase $cmd in\n")
	for _, c := range spec {
		fmt.Fprintf(w, "\t%s)\n\t\t_arguments -s", c.name)
		for _, f := range c.flags {
			action := ""
			if f.takesValue {
				switch f.kind {
				case valueWords:
					action = ":value:(" + strings.Join(f.words, " ") + ")"
				case valueFiles:
					action = ":file:_files"
				case valueDirs:
					action = ":directory:_files -/"
				default:
					action = ":value:"
				}
			}
			desc := "[" + f.usage + "]"
			if f.short != "" {
				fmt.Fprintf(w, " \\\n\t\t\t'(-%s --%s)'{-%s,--%s}%s", f.short, f.long, f.short, f.long, zshQuote(desc+action))
			} else {
				fmt.Fprintf(w, " \\\n\t\t\t%s", zshQuote("--"+f.long+desc+action))
			}
		}
		switch c.args {
		case valuePaths:
			fmt.Fprintf(w, " \\\n\t\t\t'*:pipeline:_files -g \"*.wave(-.)\"'")
		case valueWords:
			fmt.Fprintf(w, " \\\n\t\t\t'1:argument:(%s)'", strings.Join(c.words, " "))
		}
		fmt.Fprintf(w, "\n\t\t;;\n")
	}
	fmt.Fprintf(w, "\tesac\n}\n")
	fmt.Fprintf(w, "if [[ $funcstack[1] == _wavec ]]; then\n\t_wavec \"$@\"\nelse\n\tcompdef _wavec wavec\nfi\n")
}

// fishQuote quotes s for fish.
func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

func writeFish(w io.Writer, spec []commandSpec) {
	fmt.Fprintf(w, "# fish completion for wavec. Load it with: wavec completion fish | source\n")
	fmt.Fprintf(w, "# or save it as ~/.config/fish/completions/wavec.fish.\n")
	fmt.Fprintf(w, "complete -c wavec -f\n")
	fmt.Fprintf(w, "function __wavec_paths\n")
	fmt.Fprintf(w, "\tset -l token (commandline -ct)\n")
	fmt.Fprintf(w, "\tfor f in $token*\n")
	fmt.Fprintf(w, "\t\tif test -d $f\n\t\t\techo $f/\n\t\telse if string match -q '*.wave' -- $f\n\t\t\techo $f\n\t\tend\n")
	fmt.Fprintf(w, "\tend\nend\n")
	for _, c := range spec {
		fmt.Fprintf(w, "complete -c wavec -n __fish_use_subcommand -a %s -d %s\n", c.name, fishQuote(c.summary))
	}
	for _, c := range spec {
		cond := fishQuote("__fish_seen_subcommand_from " + c.name)
		for _, f := range c.flags {
			fmt.Fprintf(w, "complete -c wavec -n %s -l %s", cond, f.long)
			if f.short != "" {
				fmt.Fprintf(w, " -s %s", f.short)
			}
			if f.takesValue {
				switch f.kind {
				case valueWords:
					fmt.Fprintf(w, " -x -a %s", fishQuote(strings.Join(f.words, " ")))
				case valueFiles:
					fmt.Fprintf(w, " -r -F")
				case valueDirs:
					fmt.Fprintf(w, " -x -a '(__fish_complete_directories)'")
				default:
					fmt.Fprintf(w, " -x")
				}
			}
			fmt.Fprintf(w, " -d %s\n", fishQuote(f.usage))
		}
		switch c.args {
		case valuePaths:
			fmt.Fprintf(w, "complete -c wavec -n %s -a '(__wavec_paths)'\n", cond)
		case valueWords:
			fmt.Fprintf(w, "complete -c wavec -n %s -a %s\n", cond, fishQuote(strings.Join(c.words, " ")))
		}
	}
}
