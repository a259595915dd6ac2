// Executables where a document, archive or container should hold none. Shipped with
// aupguard; each match is a YARA_MATCH signal naming the rule. Safe to extend.

rule Embedded_PE_Executable
{
    meta:
        description = "A Windows PE program inside another file (not at its start)"
    strings:
        $mz = "MZ"
    condition:
        for any i in (1..#mz) : (
            @mz[i] > 0 and
            uint32(@mz[i] + 0x3C) < 0x400 and
            uint32(@mz[i] + uint32(@mz[i] + 0x3C)) == 0x00004550
        )
}

rule Hex_Encoded_PE_Executable
{
    meta:
        description = "A PE program written out as hex digits (RTF objdata, scripts)"
    strings:
        $hex = /4[dD]5[aA][0-9a-fA-F\r\n]{100,2048}50450000/
    condition:
        $hex
}

rule Embedded_ELF_Executable
{
    meta:
        description = "A Linux ELF program inside another file"
    strings:
        $elf = { 7F 45 4C 46 (01 | 02) (01 | 02) 01 }
    condition:
        for any i in (1..#elf) : (@elf[i] > 0)
}
