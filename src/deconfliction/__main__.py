from deconfliction.cli.app import main

main()
