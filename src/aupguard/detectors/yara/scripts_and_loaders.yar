// Script patterns that download and run code, as droppers and macro payloads do.

rule PowerShell_Encoded_Or_Download
{
    meta:
        description = "PowerShell that runs an encoded command or downloads and runs code"
    strings:
        $ps = "powershell" nocase
        $enc = /\s-(e|en|enc|enco|encodedcommand)\s+[A-Za-z0-9+\/=]{40}/ nocase
        $dl1 = "DownloadString" nocase
        $dl2 = "DownloadFile" nocase
        $dl3 = "Invoke-WebRequest" nocase
        $iex1 = "IEX" nocase
        $iex2 = "Invoke-Expression" nocase
    condition:
        $ps and ($enc or (any of ($dl*) and any of ($iex*)))
}

rule LOLBin_Remote_Script
{
    meta:
        description = "mshta, regsvr32 or certutil told to fetch and run a remote file"
    strings:
        $a = /mshta(\.exe)?\s+["']?(https?|javascript|vbscript):/ nocase
        $b = /regsvr32(\.exe)?\s+\/s\s+\/n\s+\/u\s+\/i:https?:/ nocase
        $c = /certutil(\.exe)?\s+-urlcache\s+(-split\s+)?-f\s+https?:/ nocase
    condition:
        any of them
}

rule VBA_Shell_Download_Execute
{
    meta:
        description = "Script that fetches a URL and starts a process (dropper shape)"
    strings:
        $http1 = "MSXML2.XMLHTTP" nocase
        $http2 = "WinHttp.WinHttpRequest" nocase
        $http3 = "URLDownloadToFile" nocase
        $run1 = "WScript.Shell" nocase
        $run2 = "Shell.Application" nocase
        $run3 = "CreateObject(\"Wscript.Shell\")" nocase
        $save = "ADODB.Stream" nocase
    condition:
        any of ($http*) and (any of ($run*) or $save)
}
